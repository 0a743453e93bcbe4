import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { appendFile, chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** The directory of PostgreSQL's server binaries (initdb, pg_ctl, pg_basebackup), or undefined when absent. */
export function postgresBinaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  return versions
    .map((version) => join(root, version, 'bin'))
    .find((bin) => ['initdb', 'pg_ctl', 'pg_basebackup'].every((b) => existsSync(join(bin, b))));
}

export interface PrimaryWithReplica {
  primaryUrl: string;
  replicaUrl: string;
  /** SQL on the replica (pg_wal_replay_pause(), pg_wal_replay_resume()). */
  onReplica(sql: string): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A PostgreSQL cluster of its own and a streaming replica of it made with pg_basebackup, in a temporary directory.
 * Not a replica of the shared test server: its pg_hba.conf allows no replication connection (only a reload after
 * editing /etc would), and pausing replay there would be every suite's business; initdb's own pg_hba allows it.
 */
export async function startPrimaryWithReplica(bin: string): Promise<PrimaryWithReplica> {
  const dir = await mkdtemp(join(tmpdir(), 'chronicle-replica-'));
  // initdb and postgres refuse to run as root: as the postgres user then.
  const asRoot = userInfo().uid === 0;
  const exec = (tool: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args])
      : run(join(bin, tool), args);
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const uid = Number(stdout.trim());
    await chown(dir, uid, uid);
  }
  await chmod(dir, 0o700);
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const primary = join(dir, 'primary');
  const replica = join(dir, 'replica');
  const started: string[] = [];
  const stop = async () => {
    for (const data of started.reverse())
      await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await exec('initdb', ['-D', primary, '-U', 'postgres', '--auth=trust', '--no-sync']);
    await appendFile(
      join(primary, 'postgresql.conf'),
      `\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '${dir}'\nfsync = off\n`,
    );
    const start = async (data: string, port: number) => {
      await exec('pg_ctl', ['-D', data, '-o', `-p ${port}`, '-l', `${data}.log`, '-w', 'start']);
      started.push(data);
    };
    await start(primary, primaryPort);
    await exec('pg_basebackup', [
      ...['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres'],
      ...['-D', replica, '-R', '-X', 'stream', '--checkpoint=fast'],
    ]);
    await start(replica, replicaPort);
  } catch (error) {
    await stop();
    throw error;
  }
  const replicaUrl = `postgres://postgres@127.0.0.1:${replicaPort}/postgres`;
  return {
    primaryUrl: `postgres://postgres@127.0.0.1:${primaryPort}/postgres`,
    replicaUrl,
    async onReplica(sql) {
      const client = new pg.Client({ connectionString: replicaUrl });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    },
    stop,
  };
}
