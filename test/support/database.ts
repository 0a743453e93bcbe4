import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { dataSourceOptions } from '../../src/database/database.options.js';
import { EventTypeRegistry, PostgresEventStore } from '../../src/event-store/index.js';
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

/** A migrated pool on the test database and a store that knows `types`, for a suite's beforeAll. */
export async function migratedStore(
  ...types: string[]
): Promise<{ pool: pg.Pool; store: PostgresEventStore }> {
  const pool = await migratedPool();
  return { pool, store: storeOn(pool, ...types) };
}

export interface ScratchDatabase {
  url: string;
  pool: pg.Pool;
  /** Every table, rebuild copies included, with a row whose text contains `needle`: what an erasure must empty. */
  tablesContaining(needle: string): Promise<string[]>;
  drop(): Promise<void>;
}

/** A migrated database of its own, on the test server, for a test that must control every row in it. */
export async function scratchDatabase(max = 10): Promise<ScratchDatabase> {
  const name = `chronicle_scratch_${randomBytes(4).toString('hex')}`;
  const url = new URL(testDatabaseUrl());
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  url.pathname = `/${name}`;
  const dataSource = new DataSource({ ...dataSourceOptions(url.toString(), 2), logging: false });
  await dataSource.initialize();
  await dataSource.destroy();
  const pool = new pg.Pool({ connectionString: url.toString(), max });
  return {
    url: url.toString(),
    pool,
    tablesContaining: (needle) => tablesContaining(pool, needle),
    async drop() {
      await pool.end();
      // Closed sessions linger a moment on the server; FORCE would kill any a test forgot, loudly.
      for (let i = 0; i < 100; i++) {
        const left = await admin.query('SELECT 1 FROM pg_stat_activity WHERE datname = $1', [name]);
        if (left.rowCount === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** A scratch database and a TypeORM data source on it for `entities`; dropping the database destroys it first. */
export async function scratchDataSource(
  entities: DataSourceOptions['entities'],
): Promise<{ scratch: ScratchDatabase; dataSource: DataSource }> {
  const scratch = await scratchDatabase(2);
  const dataSource = new DataSource({
    ...dataSourceOptions(scratch.url, 2),
    migrationsRun: false,
    entities,
    logging: false,
  });
  await dataSource.initialize();
  const drop = async () => {
    await dataSource.destroy();
    await scratch.drop();
  };
  return { scratch: { ...scratch, drop }, dataSource };
}

async function tablesContaining(pool: pg.Pool, needle: string): Promise<string[]> {
  const { rows: tables } = await pool.query<{ name: string }>(
    `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
     WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
  );
  const found: string[] = [];
  for (const { name } of tables) {
    const { rows } = await pool.query(
      `SELECT 1 FROM ${name} AS t WHERE strpos(t::text, $1) > 0 LIMIT 1`,
      [needle],
    );
    if (rows.length > 0) found.push(name);
  }
  return found;
}
