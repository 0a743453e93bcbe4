import type pg from 'pg';
import { DataSource, type EntityTarget, type ObjectLiteral, type Repository } from 'typeorm';
import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions.js';
import type { AppConfig } from '../config/config.js';
import { guardedByHealth } from './database-budget.js';
import { DatabaseHealth } from './database-health.js';
import { dataSourceOptions } from './database.options.js';
import { ENTITIES } from './entities.js';
import { poolOf } from './pool-of.js';

/** Which database served a read: the X-Read-Source header. */
export type ReadSource = 'primary' | 'replica';

/**
 * Where the read-model queries read: READ_DATABASE_URL's streaming replica, or the primary when it is unset.
 * Everything that writes (commands, the event store, projections and their checkpoints) uses the primary.
 * See docs/architecture.md#reads-from-a-replica.
 */
export class ReadDatabase {
  readonly pool: pg.Pool;

  constructor(
    readonly dataSource: DataSource,
    readonly source: ReadSource,
    /** The replica's own: an outage of it answers 503 at once, as the primary's does. */
    readonly health: DatabaseHealth,
  ) {
    this.pool = poolOf(dataSource);
  }

  repository<T extends ObjectLiteral>(entity: EntityTarget<T>): Repository<T> {
    return this.dataSource.getRepository(entity);
  }

  /** Only the replica's connections are this object's to close: the primary's belong to TypeORM's module. */
  async close(): Promise<void> {
    if (this.source !== 'replica') return;
    this.health.close();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/** A pool on the replica, held to the same timeouts and guarded the same way as the primary's; never migrated. */
export async function replicaDatabase(
  url: string,
  config: Pick<AppConfig, 'database' | 'dbPoolSize'>,
): Promise<ReadDatabase> {
  const health = new DatabaseHealth(url, config.database);
  const options = dataSourceOptions(url, config.dbPoolSize, {
    timeouts: config.database,
    onConnectionLost: (error) => health.suspect(error, 'A replica connection was lost'),
  }) as PostgresDataSourceOptions;
  const dataSource = new DataSource({
    ...options,
    migrationsRun: false,
    // A hot standby is read-only: TypeORM must not try CREATE EXTENSION there.
    installExtensions: false,
    entities: ENTITIES,
  });
  await dataSource.initialize();
  const read = new ReadDatabase(dataSource, 'replica', health);
  guardedByHealth(read.pool, health);
  read.pool.on('connect', () => health.answered());
  return read;
}
