import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/database.options.js';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres.js';
import { BASELINE_SCHEMA } from '../baseline/baseline-sql.js';

export interface BenchDatabase {
  /** The fresh database of this run. */
  readonly url: string;
  readonly server: 'embedded' | 'DATABASE_URL';
  /** Drops the database, then stops the embedded server if this run started it. */
  close(): Promise<void>;
}

export const BENCH_PG_DATA_DIR = process.env.BENCH_PG_DATA_DIR ?? '.data/bench-postgres';
export const BENCH_PG_PORT = Number(process.env.BENCH_PG_PORT ?? 54359);

/**
 * A fresh database for one run, on DATABASE_URL's server or on an embedded server under .data/bench-postgres
 * (server settings left at their defaults; BENCH_PG_FLAGS="-c name=value ..." adds some).
 */
export async function openBenchDatabase(): Promise<BenchDatabase> {
  let serverUrl = process.env.DATABASE_URL || undefined;
  let stopServer = async () => {};
  if (!serverUrl) {
    const flags = (process.env.BENCH_PG_FLAGS ?? '').split(/\s+/).filter(Boolean);
    const embedded = await startEmbeddedPostgres({
      dataDir: BENCH_PG_DATA_DIR,
      port: BENCH_PG_PORT,
      database: 'postgres',
      postgresFlags: flags,
    });
    serverUrl = embedded.url;
    stopServer = () => embedded.stop();
  }
  const name = `chronicle_bench_${randomBytes(4).toString('hex')}`;
  await admin(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = url.toString();
  try {
    await migrate(database);
  } catch (error) {
    await admin(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await stopServer();
    throw error;
  }
  return {
    url: database,
    server: process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded',
    close: async () => {
      await admin(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await stopServer();
    },
  };
}

/** The product's migrations, then the baseline's table. */
async function migrate(url: string): Promise<void> {
  const dataSource = new DataSource({ ...dataSourceOptions(url, 2), logging: false });
  await dataSource.initialize();
  await dataSource.destroy();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(BASELINE_SCHEMA);
  } finally {
    await client.end();
  }
}

async function admin(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function truncate(pool: pg.Pool, ...tables: string[]): Promise<void> {
  // The heads go with their events: a head left behind would put a stream's next append after a gap.
  const all = tables.includes('events') ? [...tables, 'streams'] : tables;
  await pool.query(`TRUNCATE ${all.join(', ')} RESTART IDENTITY`);
}

/** After a bulk load: both tables frozen and analysed, so that neither side's first read pays for hint bits. */
export async function vacuumAnalyze(pool: pg.Pool, ...tables: string[]): Promise<void> {
  for (const table of tables) await pool.query(`VACUUM (FREEZE, ANALYZE) ${table}`);
}

/** A measurement counts only if the work is really in the table. */
export async function expectRows(pool: pg.Pool, table: string, expected: number): Promise<void> {
  const { rows } = await pool.query<{ count: string }>(`SELECT count(*) AS count FROM ${table}`);
  if (Number(rows[0].count) !== expected)
    throw new Error(`${table} holds ${rows[0].count} rows, expected ${expected}`);
}
