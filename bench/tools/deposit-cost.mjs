// The CPU one deposit costs a build of Chronicle, to compare builds the same way (an A/B or a bisect): the build's
// createApp in production mode on a fresh database, 1,000 accounts, the build's own autocannon child POSTing
// deposits (20 connections, a 3 s warm-up, then ROUNDS rounds of 8 s), and the process's CPU per deposit answered,
// counted until its accounts projection has drained. One JSON line per round on stdout. Run it from the build's
// checkout (a git worktree with node_modules linked), after `npx tsc -p tsconfig.build.json` and
// `npx tsc -p bench/tsconfig.json` there, and alternate the builds:
//   node bench/tools/deposit-cost.mjs [rounds=3]        (DATABASE_URL: the server, default 127.0.0.1:5432)
// CPU_PROFILE=<file> or HEAP_PROFILE=<file> also write a V8 profile of the measured rounds, with their deposit count.
// Builds from before identity (issue 11) run without tokens; round 0 is JIT warm-up on every build.
import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import pg from 'pg';

const root = resolve('.');
const rounds = Number(process.argv[2] ?? 3);
const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const built = (path) => import(`${root}/${path}`);

const { createApp } = await built('dist/app.factory.js');
const { loadConfig } = await built('dist/config/config.js');
const { PostgresEventStore } = await built('dist/event-store/index.js');
const { ProjectionRunner } = await built(
  existsSync(`${root}/dist/projections/index.js`)
    ? 'dist/projections/index.js'
    : 'dist/projections/projection-runner.service.js',
);
const { BENCH_MASTER_KEY, accountIds, opened, streamOf } = await built(
  'dist-bench/bench/harness/fixtures.js',
);
const { runChild } = await built('dist-bench/bench/harness/children.js');
const withIdentity = existsSync(`${root}/dist-bench/bench/harness/app-env.js`);
const env = withIdentity
  ? (await built('dist-bench/bench/harness/app-env.js')).BENCH_APP_ENV
  : { NODE_ENV: 'production', LOG_LEVEL: 'error', CHRONICLE_MASTER_KEY: BENCH_MASTER_KEY };
const identity = withIdentity ? await built('dist-bench/bench/harness/identity.js') : undefined;
const tokens = identity
  ? Array.from({ length: 50 }, (_, i) => identity.benchToken(`teller-${i}`, ['teller']))
  : undefined;

const database = `deposit_cost_${process.pid}`;
const admin = new pg.Client({ connectionString: server });
await admin.connect();
await admin.query(`CREATE DATABASE ${database}`);
const url = new URL(server);
url.pathname = `/${database}`;
const running = await createApp({ ...loadConfig(env), databaseUrl: url.toString() });
try {
  await running.app.listen(0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${running.app.getHttpServer().address().port}`;
  const store = running.app.get(PostgresEventStore);
  const runner = running.app.get(ProjectionRunner);
  const ids = accountIds(1000, 'http');
  // The harness's openAccounts, spelled here: builds older than it are measured with this tool too.
  for (let i = 0; i < ids.length; i += 50)
    await Promise.all(
      ids
        .slice(i, i + 50)
        .map((id) => store.append(streamOf(id), [opened(id)], { expectedVersion: 'no-stream' })),
    );
  const drain = async () => {
    const head = await store.headPosition();
    if (head > 0) await runner.waitFor(head, ['accounts'], 120_000);
  };
  const cpu = () => {
    const { user, system } = process.cpuUsage();
    return user + system;
  };
  // Syscalls of this process (its sockets to the clients and to PostgreSQL): where a build adds round trips.
  const io = () =>
    Object.fromEntries(
      readFileSync('/proc/self/io', 'utf8')
        .trim()
        .split('\n')
        .map((l) => [l.split(':')[0], Number(l.split(':')[1])]),
    );
  const load = (seconds) =>
    runChild('autocannon', {
      baseUrl,
      method: 'POST',
      path: '/accounts/{id}/deposits',
      ids,
      tokens,
      body: { amount: 2500, description: 'Salary' },
      connections: 20,
      seconds,
    });
  await drain();
  await load(3);
  await drain();
  // CPU_PROFILE=<file>: a V8 profile of the measured rounds only (not start-up, not warm-up), for a per-deposit diff.
  const profiler = process.env.CPU_PROFILE
    ? new (await import('node:inspector/promises')).Session()
    : undefined;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  // HEAP_PROFILE=<file>: sampled allocations of the measured rounds, the collected ones included (what feeds the GC).
  const heap = process.env.HEAP_PROFILE
    ? new (await import('node:inspector/promises')).Session()
    : undefined;
  if (heap) {
    heap.connect();
    await heap.post('HeapProfiler.startSampling', {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  }
  let deposits = 0;
  for (let round = 0; round < rounds; round++) {
    const before = cpu();
    const ioBefore = io();
    const out = await load(8);
    await drain();
    const cpuUsPerDeposit = Math.round((cpu() - before) / out.ok);
    deposits += out.ok;
    const ioAfter = io();
    const writesPerDeposit = +((ioAfter.syscw - ioBefore.syscw) / out.ok).toFixed(2);
    const readsPerDeposit = +((ioAfter.syscr - ioBefore.syscr) / out.ok).toFixed(2);
    const failed = out.non2xx ?? Object.values(out.failures ?? {}).reduce((a, b) => a + b, 0);
    console.log(
      JSON.stringify({
        round,
        perSecond: Math.round(out.ok / out.seconds),
        cpuUsPerDeposit,
        writesPerDeposit,
        readsPerDeposit,
        failed,
        load: loadavg()[0],
      }),
    );
  }
  if (heap) {
    const { profile } = await heap.post('HeapProfiler.stopSampling');
    (await import('node:fs')).writeFileSync(
      process.env.HEAP_PROFILE,
      JSON.stringify({ ...profile, deposits }),
    );
  }
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    (await import('node:fs')).writeFileSync(
      process.env.CPU_PROFILE,
      JSON.stringify({ ...profile, deposits }),
    );
  }
} finally {
  await running.close();
  await admin.query(`DROP DATABASE ${database} WITH (FORCE)`);
  await admin.end();
}
process.exit(0);
