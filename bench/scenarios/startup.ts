import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres.js';
import { BENCH_MASTER_KEY } from '../harness/fixtures.js';
import { BENCH_AUTH_ENV } from '../harness/identity.js';
import { median, spread } from '../harness/stats.js';
import type { Scenario, ScenarioResult } from './scenario.js';

const DATA_DIR = process.env.BENCH_STARTUP_PG_DATA_DIR ?? '.data/bench-startup-postgres';
const MAIN = resolve('dist/main.js');

/**
 * `node dist/main.js` with the embedded database already initialised: from spawn to the first 200 from /health.
 * The first start (which may run initdb and the migrations) is the warm-up. For a breakdown, the embedded server's
 * own start on the same data directory is timed too.
 */
export const startupScenario: Scenario = {
  id: 'startup',
  async run(context) {
    const pgPort = await freePort();
    context.log(`  start-up: node dist/main.js, embedded PostgreSQL in ${DATA_DIR}`);
    await startOnce(pgPort);
    const app: number[] = [];
    const server: number[] = [];
    for (let i = 0; i < context.sizes.startups; i++) {
      const ms = await startOnce(pgPort);
      app.push(ms);
      const began = performance.now();
      const embedded = await startEmbeddedPostgres({ dataDir: DATA_DIR, port: pgPort });
      server.push(performance.now() - began);
      await embedded.stop();
      context.log(
        `    start ${i + 1}/${context.sizes.startups}: ${ms.toFixed(0)} ms to healthy (embedded server alone: ${server[i].toFixed(0)} ms)`,
      );
    }
    const total = spread(app);
    const result: ScenarioResult = {
      id: 'startup',
      title:
        'start-up: process start to first healthy /health answer, embedded database already initialised',
      unit: 'ms',
      target: { kind: 'report', text: 'reported in ms' },
      status: 'reported',
      figures: {
        'median (ms)': Math.round(total.median),
        'min (ms)': Math.round(total.min),
        'max (ms)': Math.round(total.max),
        'of which the embedded PostgreSQL start, median (ms)': Math.round(median(server)),
      },
      notes: [`${app.length} starts after one warm-up start; NODE_ENV=production, LOG_LEVEL=warn`],
    };
    return [result];
  },
};

async function startOnce(pgPort: number): Promise<number> {
  const port = await freePort();
  const began = performance.now();
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      DATABASE_URL: '',
      EMBEDDED_PG_DATA_DIR: DATA_DIR,
      EMBEDDED_PG_PORT: String(pgPort),
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      CHRONICLE_MASTER_KEY: BENCH_MASTER_KEY,
      ...BENCH_AUTH_ENV,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  try {
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`dist/main.js exited with ${child.exitCode} before it was healthy`);
      if (performance.now() - began > 120_000)
        throw new Error('dist/main.js was not healthy within 120 s');
      const healthy = await fetch(`http://127.0.0.1:${port}/health`)
        .then((response) => response.status === 200)
        .catch(() => false);
      if (healthy) return performance.now() - began;
      await new Promise((wait) => setTimeout(wait, 10));
    }
  } finally {
    await stop(child, exited);
  }
}

async function stop(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((done) =>
    setTimeout(() => done('timeout'), 30_000).unref(),
  );
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}
