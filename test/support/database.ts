import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/database.options.js';
import { EventTypeRegistry } from '../../src/event-store/event-type-registry.js';
import { PostgresEventStore } from '../../src/event-store/postgres-event-store.js';
import { testDatabaseUrl } from './test-app.js';

/** Runs the migrations once and hands out a pg pool on the test database. */
export async function migratedPool(max = 30): Promise<pg.Pool> {
  const dataSource = new DataSource({ ...dataSourceOptions(testDatabaseUrl(), 2), logging: false });
  await dataSource.initialize();
  await dataSource.destroy();
  return new pg.Pool({ connectionString: testDatabaseUrl(), max });
}

export function storeOn(pool: pg.Pool, ...types: string[]): PostgresEventStore {
  const registry = new EventTypeRegistry();
  registry.register(...types.map((type) => ({ type })));
  return new PostgresEventStore(pool, registry);
}
