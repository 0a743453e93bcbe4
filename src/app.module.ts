import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, registerAs } from '@nestjs/config';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { AccountsModule } from './accounts/index.js';
import { CartsModule } from './carts/index.js';
import { type AppConfig, CONFIG_NAMESPACE } from './config/config.js';
import { CustomersModule } from './customers/index.js';
import { DatabaseModule } from './database/database.module.js';
import { EventBrowserModule } from './event-browser/index.js';
import { EventStoreModule } from './event-store/index.js';
import { HealthModule } from './health/health.module.js';
import { IdentityModule } from './identity/identity.module.js';
import { IntegrationModule } from './integration/index.js';
import { HttpModule } from './http/http.module.js';
import { IdempotencyKeysPurger } from './http/idempotency-keys.purger.js';
import { LiveModule } from './live/index.js';
import { LoggingModule } from './logging/index.js';
import { ProblemFilter } from './http/problem.filter.js';
import { validationPipe } from './http/validation.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { OrdersModule } from './orders/index.js';
import { ProjectionsModule } from './projections/index.js';
import { ShippingModule } from './shipping/shipping.module.js';
import { WebConsoleModule } from './web-console/index.js';

@Module({})
export class AppModule {
  /** `databaseUrl` is resolved before the module is built: DATABASE_URL, or the embedded server's. */
  static forRoot(config: AppConfig & { databaseUrl: string }): DynamicModule {
    return {
      module: AppModule,
      imports: [
        // Validated before the app is built (main.ts, the CLIs: loadConfig), served here as APP_CONFIG.
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          ignoreEnvVars: true,
          load: [registerAs(CONFIG_NAMESPACE, () => config)],
        }),
        LoggingModule.forRoot(config),
        DatabaseModule.forRoot(config),
        IdentityModule,
        // After IdentityModule: its guards run first (see HttpModule).
        HttpModule,
        CqrsModule.forRoot(),
        EventStoreModule,
        ProjectionsModule,
        IntegrationModule.forRoot(config),
        AccountsModule,
        CartsModule,
        CustomersModule,
        OrdersModule,
        ShippingModule,
        LiveModule,
        WebConsoleModule,
        EventBrowserModule,
        MetricsModule,
        HealthModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_PIPE, useFactory: validationPipe },
        IdempotencyKeysPurger,
      ],
    };
  }
}
