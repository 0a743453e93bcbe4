import { profiled } from '../harness/profile.js';
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Pool } from 'pg';
import { PG_POOL, PostgresEventStore } from '../../src/event-store/index.js';
import { ProjectionRunner } from '../../src/projections/index.js';
import type {
  SubscribersCommand,
  SubscribersInput,
  SubscribersMessage,
} from '../children/live-subscribers.child.js';
import { alternate, type Side } from '../harness/alternate.js';
import { accountIds, openAccounts, streamOf } from '../harness/fixtures.js';
import { createBenchApp, drainer, httpLoad, listen } from '../harness/http-app.js';
import { benchToken } from '../harness/identity.js';
import { maxOf, percentile } from '../harness/stats.js';
import {
  atLeast,
  compared,
  type Scenario,
  type ScenarioContext,
  type ScenarioResult,
} from './scenario.js';

const CHILDREN = resolve(dirname(fileURLToPath(import.meta.url)), '../children');
/** The subscribers must have every deposit of a measurement within this after it ends. */
const DELIVERY_TIMEOUT_MS = 60_000;

/**
 * What live subscriptions cost the write path: the HTTP deposit load with 1,000 Server-Sent Events streams open
 * (one per account, each read by a client in another process) against the same load with none, in the same app.
 */
export const liveScenario: Scenario = {
  id: 'live',
  async run(context) {
    const running = await createBenchApp(context);
    try {
      const baseUrl = await listen(running);
      const app = running.app;
      return [
        await measureLive(context, {
          baseUrl,
          store: app.get(PostgresEventStore),
          runner: app.get(ProjectionRunner),
          pool: app.get<Pool>(PG_POOL),
        }),
      ];
    } finally {
      await running.close();
    }
  },
};

interface LiveApp {
  baseUrl: string;
  store: PostgresEventStore;
  runner: ProjectionRunner;
  pool: Pool;
}

async function measureLive(
  context: ScenarioContext,
  { baseUrl, store, runner, pool }: LiveApp,
): Promise<ScenarioResult> {
  const { sizes } = context;
  const ids = accountIds(sizes.httpAccounts, 'live');
  const depositors = Array.from({ length: 50 }, (_, i) => benchToken(`teller-${i}`, ['teller']));
  const watchers = ids.map((_, i) => benchToken(`watcher-${i}`, ['teller']));
  await openAccounts(store, ids);
  const drain = drainer(store, runner);
  await drain();

  let warm = sizes.warmups > 0;
  let rounds = 0;
  const deposit = httpLoad({ baseUrl, ids, tokens: depositors, sizes, warm: () => warm });
  /** The app's CPU time (this process: the subscribers and autocannon run in others) per deposit answered. */
  const cpuPerDeposit = { with: [] as number[], without: [] as number[] };
  const load = (side: keyof typeof cpuPerDeposit) => async () => {
    const cpu = process.cpuUsage();
    const measured = await profiled(`live-${side}`, () =>
      deposit('POST', '/accounts/{id}/deposits'),
    );
    const { user, system } = process.cpuUsage(cpu);
    if (!warm) cpuPerDeposit[side].push((user + system) / Math.max(1, measured.ops));
    return measured;
  };
  // What the subscriptions must deliver: every event of the watched accounts after `after` in commit order. Not
  // by position (a late commit can hold a smaller one), and not deposits only: an opening that committed after the
  // event at `after` comes after the start too.
  const watched = ids.map(streamOf);
  const toDeliver = async (after: number) =>
    Number(
      (
        await pool.query<{ n: string }>(
          `SELECT count(*) AS n FROM events
           WHERE stream_id = ANY($2)
             AND (transaction_id, global_position) >
               (SELECT transaction_id, global_position FROM events WHERE global_position = $1)`,
          [after, watched],
        )
      ).rows[0].n,
    );

  let subscribers: Subscribers | undefined;
  let before = 0;
  const latencies: number[] = [];
  const subscriberCpu: number[] = [];
  const sides: [Side, Side] = [
    {
      prepare: async () => {
        // The last requests of the measurement before, answered or not, are committed by now.
        await sleep(1000);
        await drain();
        before = await store.headPosition();
        subscribers = await Subscribers.start({ baseUrl, ids, tokens: watchers, after: before });
      },
      measure: load('with'),
      settle: async () => {
        // Requests autocannon left in flight commit after it stops: count once they have.
        await sleep(1000);
        await drain();
        // A request answered late on a busy machine may commit after a count: the count is taken once the log has
        // had no new event for a second, then the subscribers must hold exactly that many.
        let expected = await toDeliver(before);
        for (let quiet = 0; quiet < 4;) {
          await sleep(250);
          const again = await toDeliver(before);
          quiet = again === expected ? quiet + 1 : 0;
          expected = again;
        }
        const seen = await subscribers!.waitFor(expected, DELIVERY_TIMEOUT_MS);
        subscribers!.stop();
        if (seen.repeated > 0)
          throw new Error(`the subscribers received ${seen.repeated} events twice or out of order`);
        if (seen.events !== expected)
          throw new Error(`the subscribers received ${seen.events} of ${expected} events`);
        if (seen.ended > 0) throw new Error(`${seen.ended} live streams ended during the load`);
        if (!warm) {
          latencies.push(...seen.latenciesMs);
          subscriberCpu.push(seen.cpuMicros / Math.max(1, seen.events));
        }
      },
    },
    {
      measure: load('without'),
      settle: async () => {
        await drain();
        warm = ++rounds < sizes.warmups;
      },
    },
  ];
  context.log(
    `  POST /accounts/:id/deposits with ${ids.length} live subscriptions open vs none, autocannon ${sizes.httpConnections} connections, ${sizes.httpSeconds} s`,
  );
  const runs = await alternate(
    { rounds: sizes.httpRounds, warmups: sizes.warmups, log: context.log },
    ...sides,
  );
  const cpuWith = percentile(cpuPerDeposit.with, 50);
  const cpuWithout = percentile(cpuPerDeposit.without, 50);
  context.log(
    `  app CPU per deposit: ${cpuWith.toFixed(0)} µs with the subscriptions, ${cpuWithout.toFixed(0)} µs without; ` +
      `the subscribers' process ${percentile(subscriberCpu, 50).toFixed(0)} µs per message read; ` +
      `delivery p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms`,
  );
  return compared(
    {
      id: 'live',
      title: `POST /accounts/:id/deposits over HTTP with ${ids.length.toLocaleString('en-US')} live subscriptions open (GET /accounts/:id/live, one per account, every message read) vs with none`,
      unit: 'req/s',
      target: atLeast(0.9),
      figures: {
        'app CPU per deposit, with (µs)': Math.round(cpuWith),
        'app CPU per deposit, without (µs)': Math.round(cpuWithout),
        'CPU ratio without / with': Math.round((cpuWithout / cpuWith) * 100) / 100,
        "subscribers' process CPU per message (µs)": Math.round(percentile(subscriberCpu, 50)),
        ...(latencies.length > 0 && {
          'delivery p50 (ms)': percentile(latencies, 50),
          'delivery p99 (ms)': percentile(latencies, 99),
          'delivery max (ms)': maxOf(latencies),
          'events delivered': latencies.length,
        }),
      },
      notes: [
        'Both sides: the same app, deposits drawn at random over the same accounts, 50 teller tokens. Ours: a child ' +
          'process holds one Server-Sent Events stream per account (its own principal each) and reads every message; ' +
          'every deposit committed during the measurement must reach it (checked against the log). Delivery: ' +
          "recordedAt to the message read by the subscriber (ms clock). App CPU: this process's user and system time " +
          'over a measurement per deposit answered (median over the rounds), which other load on the machine moves less ' +
          'than throughput.',
      ],
    },
    runs,
  );
}

/** The subscriber child: started with its streams open, asked for its counts, stopped. */
class Subscribers {
  private constructor(private readonly child: ChildProcess) {}

  static start(input: SubscribersInput): Promise<Subscribers> {
    const child = fork(join(CHILDREN, 'live-subscribers.child.js'), [], { stdio: 'inherit' });
    child.send({ kind: 'open', input } satisfies SubscribersCommand);
    return new Promise((resolvePromise, reject) => {
      child.once('message', (message: SubscribersMessage) => {
        if (message.kind === 'ready') resolvePromise(new Subscribers(child));
        else reject(new Error(`live subscribers: ${JSON.stringify(message)}`));
      });
      child.once('exit', (code) => reject(new Error(`live subscribers exited (${code})`)));
    });
  }

  /** The counts once `events` have arrived, or whatever arrived when the time is up. */
  async waitFor(
    events: number,
    timeoutMs: number,
  ): Promise<{
    events: number;
    repeated: number;
    ended: number;
    latenciesMs: number[];
    cpuMicros: number;
  }> {
    const deadline = Date.now() + timeoutMs;
    const latenciesMs: number[] = [];
    for (;;) {
      const count = await this.count();
      latenciesMs.push(...count.latenciesMs);
      if (count.events >= events || Date.now() > deadline) return { ...count, latenciesMs };
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  stop(): void {
    this.child.send({ kind: 'stop' } satisfies SubscribersCommand);
  }

  private count(): Promise<Extract<SubscribersMessage, { kind: 'count' }>> {
    return new Promise((resolvePromise) => {
      this.child.once('message', (message: SubscribersMessage) => {
        if (message.kind === 'count') resolvePromise(message);
      });
      this.child.send({ kind: 'count' } satisfies SubscribersCommand);
    });
  }
}
