import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  RequestMethod,
  type DynamicModule,
  type MiddlewareConsumer,
  type NestModule,
  type OnApplicationShutdown,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { LoggerModule, type Params, PinoLogger } from 'nestjs-pino';
import type { Logger as PinoInstance } from 'pino';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { Metrics } from '../metrics/metrics.service.js';
import { correlationPseudonym } from '../shared/correlation-pseudonym.js';
import { appLogger, flushLog, pinoLevelOf } from './app-logger.js';
import { AppLogger } from './nest-logger.js';
import { REQUEST_OBSERVER, requestLogMiddleware, type RequestObserver } from './request-log.js';

/**
 * Hands the request line what it needs of this application (its metrics, its correlation pseudonym), on the
 * express app's locals: nestjs-pino's HTTP middleware is one per process, this binding one per application.
 * Logs "stopping" when the application starts to close and "stopped" when it has, then flushes the log.
 */
@Injectable()
class LoggingLifecycle implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger('Chronicle');

  constructor(
    private readonly adapter: HttpAdapterHost,
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    // The process's logger is shared by the apps a test runs one after another: each sets its own level.
    const level = pinoLevelOf(this.config.logLevel);
    if (PinoLogger.root) PinoLogger.root.level = level;
    if (requestLogger) requestLogger.level = level;
    const http = this.adapter.httpAdapter?.getInstance<{ locals?: Record<symbol, unknown> }>();
    if (!http?.locals) return;
    const duration = this.metrics.httpRequestDuration;
    const observer: RequestObserver = {
      observe: (method, route, status, seconds) =>
        duration.observe({ method, route, status }, seconds),
      pseudonym: correlationPseudonym(this.config.masterKey.key),
    };
    http.locals[REQUEST_OBSERVER] = observer;
  }

  onModuleDestroy(): void {
    this.logger.log('stopping');
  }

  onApplicationShutdown(): void {
    this.logger.log('stopped');
    flushLog();
  }
}

const EVERY_ROUTE = { path: '{/*splat}', method: RequestMethod.ALL };

/**
 * nestjs-pino's own request middleware is mounted on no route (the request line is ours, below). Excluding it from
 * every route instead still mounted it, and Nest then matched each request against the exclusion: 3.5 % of a
 * deposit's CPU (bench/findings.md, 2026-12-06 evening).
 */
function loggerParams(config: AppConfig): Params {
  return { pinoHttp: { logger: appLogger(config) }, forRoutes: [] };
}

/**
 * Nest's logger for NestFactory.create, over the same pino logger: Nest's lines while the app is being built (a
 * database it retries, say) are written at once, not buffered until the app is up.
 */
export function nestLogger(config: AppConfig): AppLogger {
  const params = loggerParams(config);
  return new AppLogger(new PinoLogger(params), params);
}

let requestLogger: PinoInstance | undefined;

/**
 * Structured JSON logs (nestjs-pino) at LOG_LEVEL. The request line is our own middleware: nestjs-pino's runs each
 * request in an AsyncLocalStorage, which hooks every promise (a quarter of a deposit's CPU, bench/findings.md). See
 * docs/architecture.md#logs-srclogging.
 */
@Global()
@Module({})
export class LoggingModule implements NestModule {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  configure(consumer: MiddlewareConsumer): void {
    // One per process, like the logger it writes to.
    requestLogger ??= appLogger(this.config).child({});
    consumer.apply(requestLogMiddleware(requestLogger)).forRoutes(EVERY_ROUTE);
  }

  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: LoggingModule,
      imports: [LoggerModule.forRoot(loggerParams(config))],
      providers: [AppLogger, LoggingLifecycle],
      exports: [AppLogger],
    };
  }
}
