import { fork } from 'node:child_process';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { LoadInput, LoadOutput } from '../children/autocannon.child.js';
import { measured } from '../harness/alternate.js';
import { BENCH_APP_ENV } from '../harness/app-env.js';
import { runChild } from '../harness/children.js';
import { accountIds, accountStore, openAccounts } from '../harness/fixtures.js';
import { benchToken } from '../harness/identity.js';
import type { Measurement } from '../harness/stats.js';
import { compared, type Scenario, type ScenarioContext } from './scenario.js';

const PROCESSES = 3;

interface AppProcess {
  baseUrl: string;
  /** Its CPU time so far, µs. */
  cpuUs(): Promise<number>;
  stop(): Promise<void>;
}

/** bench/children/http-app.child.ts: an app process on a port of its own. */
async function startApp(databaseUrl: string, runProjections: boolean): Promise<AppProcess> {
  const here = dirname(fileURLToPath(import.meta.url));
  const child = fork(
    join(here, '../children/http-app.child.js'),
    [databaseUrl, String(runProjections), JSON.stringify(BENCH_APP_ENV)],
    { stdio: 'inherit' },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`an app process exited (${code})`)));
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    cpuUs: () =>
      new Promise<number>((resolve) => {
        child.once('message', (message) => resolve((message as { cpuUs: number }).cpuUs));
        child.send('cpu');
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        child.removeAllListeners('exit');
        child.once('exit', () => resolve());
        child.send('stop');
      }),
  };
}

/** Answers other than 2xx by status, over the load children (`http404`, ...), as the http scenario counts them. */
function failures(outs: LoadOutput[]): Record<string, number> {
  const byStatus: Record<string, number> = {};
  for (const out of outs)
    for (const [status, n] of Object.entries(out.failures))
      byStatus[`http${status}`] = (byStatus[`http${status}`] ?? 0) + n;
  return byStatus;
}

/** Opens the accounts through the store and waits until the first app's projection has them all. */
async function seedAccounts(url: string, ids: readonly string[]): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  try {
    const store = accountStore(pool);
    await openAccounts(store, ids);
    for (const deadline = Date.now() + 120_000; ;) {
      if (Date.now() > deadline)
        throw new Error('the first app process did not project the accounts within 120 s');
      const { rows } = await pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM account_balances WHERE id = ANY($1::uuid[])',
        [ids],
      );
      if (rows[0].n === ids.length) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await pool.end();
  }
}

/**
 * GET /accounts/:id throughput with 1 vs 3 app processes on one primary (issue 15, item 8): the same three
 * autocannon children in both (the connections split among them), pointed at one process or one each, so only
 * the number of app processes differs. The scaling factor is the 3-process throughput over the 1-process one.
 */
export const scaleOutScenario: Scenario = {
  id: 'scale-out',
  async run(context: ScenarioContext) {
    const { sizes, db } = context;
    // The first runs the projections (it migrates too); the others serve HTTP only, as added instances would.
    const apps: AppProcess[] = [];
    try {
      for (let i = 0; i < PROCESSES; i++) apps.push(await startApp(db.url, i === 0));
      const ids = accountIds(sizes.httpAccounts, 'scale-out');
      await seedAccounts(db.url, ids);
      const tokens = Array.from({ length: 50 }, (_, i) => benchToken(`teller-${i}`, ['teller']));
      const connections = Array.from({ length: PROCESSES }, (_, i) =>
        Math.floor((sizes.httpConnections + PROCESSES - 1 - i) / PROCESSES),
      );
      // The load children spread over `serving` (one process, or one each).
      const measure = async (serving: AppProcess[], seconds: number): Promise<Measurement> => {
        const cpu = async () =>
          (await Promise.all(serving.map((app) => app.cpuUs()))).reduce((a, b) => a + b, 0);
        const cpuBefore = await cpu();
        const outs = await Promise.all(
          connections.map((n, i) =>
            runChild<LoadOutput>('autocannon', {
              baseUrl: serving[i % serving.length].baseUrl,
              method: 'GET',
              path: '/accounts/{id}',
              ids,
              tokens,
              connections: n,
              seconds,
            } satisfies LoadInput),
          ),
        );
        const ok = outs.reduce((sum, out) => sum + out.ok, 0);
        return {
          ops: ok,
          seconds: Math.max(...outs.map((out) => out.seconds)),
          percentilesMs: {
            p50: Math.max(...outs.map((out) => out.latencyMs.p50)),
            p99: Math.max(...outs.map((out) => out.latencyMs.p99)),
            max: Math.max(...outs.map((out) => out.latencyMs.max)),
          },
          // As the http scenario counts them: what did not answer 2xx, reported beside the throughput.
          counters: {
            'app cpu µs/req': Math.round(((await cpu()) - cpuBefore) / Math.max(1, ok)),
            errors: outs.reduce((sum, out) => sum + out.errors + out.timeouts, 0),
            non2xx: outs.reduce((sum, out) => sum + out.non2xx, 0),
            ...failures(outs),
          },
        };
      };
      const logged = (label: string, side: string, measurement: Measurement) => {
        context.log(measured(label, side, measurement, 11));
        return measurement;
      };
      const sideOf = (processes: number) => `${processes} process${processes === 1 ? '' : 'es'}`;
      context.log(
        `  GET /accounts/:id, ${sizes.httpConnections} connections, 1 vs ${PROCESSES} app processes`,
      );
      const one: Measurement[] = [];
      const many: Measurement[] = [];
      for (let round = 0; round < sizes.warmups; round++) {
        // Every process warmed with the whole load (its JIT, its pool), not only the first one.
        for (const [i, app] of apps.entries())
          logged('warm-up', `process #${i + 1}`, await measure([app], sizes.httpWarmupSeconds));
        logged('warm-up', sideOf(PROCESSES), await measure(apps, sizes.httpWarmupSeconds));
      }
      for (let round = 0; round < sizes.httpRounds; round++) {
        // Alternated, each side first every other round: a drift of the machine falls on both.
        const order = round % 2 === 0 ? [1, PROCESSES] : [PROCESSES, 1];
        for (const processes of order) {
          const measurement = logged(
            `round ${round + 1}/${sizes.httpRounds}`,
            sideOf(processes),
            await measure(apps.slice(0, processes), sizes.httpSeconds),
          );
          (processes === 1 ? one : many).push(measurement);
        }
      }
      const result = compared(
        {
          id: 'scale-out',
          title: `GET /accounts/:id with ${PROCESSES} app processes vs 1 on one PostgreSQL (autocannon, ${sizes.httpConnections} connections spread over them)`,
          unit: 'req/s',
          target: { kind: 'report', text: `scaling factor, ${PROCESSES} processes / 1` },
          figures: { processes: PROCESSES, cpus: cpus().length },
          notes: [
            `${cpus().length} CPUs shared by the app processes, PostgreSQL and the load generators: the factor is bounded by them`,
            'app cpu µs/req: the CPU time of the app processes that served the measurement, per request answered',
          ],
        },
        { ours: many, baseline: one },
      );
      return [{ ...result, ratioOf: `throughput (req/s) ${PROCESSES} processes / 1 process` }];
    } finally {
      await Promise.all(apps.map((app) => app.stop()));
    }
  },
};
