import {
  type DynamicModule,
  Global,
  Inject,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/config.js';
import { guardedByHealth } from './database-budget.js';
import { DatabaseHealth } from './database-health.js';
import { dataSourceOptions, migrate } from './database.options.js';
import { poolOf } from './pool-of.js';
import { ReadDatabase, replicaDatabase } from './read-database.js';

/**
 * The one TypeORM data source the whole app shares (migrated first, sessions bounded, guarded in an outage), its
 * DatabaseHealth, and the ReadDatabase of the read-model queries (READ_DATABASE_URL's replica, else this source).
 * See docs/architecture.md#database-outages-bounded-waits-one-line-each-way.
 */
@Global()
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(
    @Inject(DatabaseHealth) private readonly health: DatabaseHealth,
    @Inject(ReadDatabase) private readonly read: ReadDatabase,
  ) {}

  static forRoot(config: AppConfig & { databaseUrl: string }): DynamicModule {
    const { databaseUrl: url, database: timeouts } = config;
    const health = new DatabaseHealth(url, timeouts);
    const connectionLost = (error: unknown) =>
      health.suspect(error, 'A database connection was lost');
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            ...dataSourceOptions(url, config.dbPoolSize, {
              timeouts,
              onConnectionLost: connectionLost,
            }),
            migrationsRun: false,
            autoLoadEntities: true,
          }),
          dataSourceFactory: async (options) => {
            await migrate(url, timeouts);
            const dataSource = await new DataSource(options as DataSourceOptions).initialize();
            const pool = poolOf(dataSource);
            guardedByHealth(pool, health);
            // A session the server accepted is an answer: it ends an outage without waiting for the next probe.
            pool.on('connect', () => health.answered());
            return dataSource;
          },
        }),
      ],
      providers: [
        { provide: DatabaseHealth, useValue: health },
        {
          provide: ReadDatabase,
          inject: [getDataSourceToken()],
          useFactory: (primary: DataSource) =>
            config.readDatabaseUrl
              ? replicaDatabase(config.readDatabaseUrl, config)
              : new ReadDatabase(primary, 'primary', health),
        },
      ],
      exports: [DatabaseHealth, ReadDatabase],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.health.close();
    await this.read.close();
  }
}
