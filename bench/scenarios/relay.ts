import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { EventBus } from '@nestjs/cqrs';
import {
  connect,
  DeliverPolicy,
  type JetStreamManager,
  type NatsConnection,
  type StoredMsg,
} from 'nats';
import pg from 'pg';
import { createApp } from '../../src/app.factory.js';
import { loadConfig } from '../../src/config/config.js';
import { PersistedEvent, PostgresEventStore } from '../../src/event-store/index.js';
import { ProjectionRunner } from '../../src/projections/index.js';
import type { LoadInput, LoadOutput } from '../children/autocannon.child.js';
import type { RelayBaselineInput, RelayBaselineOutput } from '../children/relay-baseline.child.js';
import type { RelayInput, RelayOutput } from '../children/relay.child.js';
import { alternate, type Side } from '../harness/alternate.js';
import { runChild } from '../harness/children.js';
import { truncate, vacuumAnalyze } from '../harness/database.js';
import { BENCH_APP_ENV } from '../harness/app-env.js';
import { accountIds, growLog, openAccounts } from '../harness/fixtures.js';
import { benchToken } from '../harness/identity.js';
import { maxOf, type Measurement, percentile } from '../harness/stats.js';
import {
  atLeast,
  compared,
  type Scenario,
  type ScenarioContext,
  type ScenarioResult,
} from './scenario.js';

/** BENCH_NATS_URL, or the machine's NATS with JetStream (nats-server -js). */
const NATS_URL = process.env.BENCH_NATS_URL ?? 'nats://127.0.0.1:4222';
/** The relay's default pipelining depth (NATS_MAX_IN_FLIGHT), on both sides. */
const IN_FLIGHT = 256;
const STREAMS = 1000;

/**
 * The relay publishing the log to JetStream (the app in a child process, from an empty checkpoint) against a bare
 * nats client publishing the same messages with the same depth; both rates from the stream's own timestamps, the
 * first message stored to the last, so neither side's start-up counts.
 */
export const relayScenario: Scenario = {
  id: 'relay',
  async run(context) {
    const events = context.mode === 'quick' ? 20_000 : 100_000;
    const pool = new pg.Pool({ connectionString: context.db.url, max: 2 });
    const nc = await connect({ servers: new URL(NATS_URL).host, timeout: 2000 }).catch(
      (error: unknown) => {
        throw new Error(
          `no NATS at ${NATS_URL} (start nats-server -js, or set BENCH_NATS_URL): ${String(error)}`,
        );
      },
    );
    const jsm = await nc.jetstreamManager();
    try {
      await truncate(pool, 'events', 'bench_baseline_events');
      await pool.query('DELETE FROM projection_checkpoints');
      context.log(`  loading a log of ${events.toLocaleString('en-US')} account events`);
      await growLog(pool, 0, events, STREAMS);
      await vacuumAnalyze(pool, 'events');
      const { rows } = await pool.query<{ head: string }>(
        'SELECT max(global_position) AS head FROM events',
      );
      const head = Number(rows[0].head);

      let stream = '';
      const names = () => {
        const id = randomBytes(4).toString('hex');
        stream = `BENCH_RELAY_${id}`;
        return { stream, subjectPrefix: `bench_${id}` };
      };
      const fromStream = (expectedLastPosition: number): Promise<Measurement> =>
        rateOf(jsm, stream, events, expectedLastPosition);
      const ours: Side = {
        prepare: async () => {
          await pool.query("DELETE FROM projection_checkpoints WHERE name = 'integration-relay'");
        },
        measure: async () => {
          const out = await runChild<RelayOutput>('relay', {
            databaseUrl: context.db.url,
            natsUrl: NATS_URL,
            ...names(),
            maxInFlight: IN_FLIGHT,
            head,
            capSeconds: 300,
          } satisfies RelayInput);
          if (!out.reachedHead) throw new Error('the relay did not reach the head of the log');
          return fromStream(head);
        },
        settle: () => deleteStream(jsm, stream),
      };
      const baseline: Side = {
        measure: async () => {
          const out = await runChild<RelayBaselineOutput>('relay-baseline', {
            databaseUrl: context.db.url,
            natsUrl: NATS_URL,
            ...names(),
            maxInFlight: IN_FLIGHT,
          } satisfies RelayBaselineInput);
          if (out.published !== events) throw new Error(`the baseline published ${out.published}`);
          return fromStream(head);
        },
        settle: () => deleteStream(jsm, stream),
      };
      const runs = await alternate(
        { rounds: context.sizes.rounds, warmups: context.sizes.warmups, log: context.log },
        ours,
        baseline,
      );
      const throughput = compared(
        {
          id: 'relay',
          title: `relay of ${events.toLocaleString('en-US')} events from the log to JetStream, acknowledged, vs a bare nats client publishing the same messages`,
          unit: 'events/s',
          target: atLeast(0.7),
          notes: [
            `both with ${IN_FLIGHT} publishes in flight, msg ids and expected last sequences, to a file stream of the same settings; ` +
              "rate = messages / (stored time of the last - of the first), JetStream's timestamps. Ours: the app's relay " +
              '(reading the log, mapping, publishing, moving its checkpoint) in a child process; baseline: the messages built ' +
              'from the log beforehand, then only published',
          ],
        },
        runs,
      );
      context.log(
        `  commit-to-consumer latency under the HTTP deposit load, ${context.sizes.httpSeconds} s`,
      );
      return [throughput, await latencyUnderLoad(context, nc)];
    } finally {
      await nc.close();
      await pool.end();
    }
  },
};

async function deleteStream(jsm: JetStreamManager, stream: string): Promise<void> {
  if (stream) await jsm.streams.delete(stream).catch(() => undefined);
}

const nanosOf = (message: StoredMsg) => {
  // RFC 3339 with nanoseconds: Date keeps milliseconds only.
  const [, fraction = '0'] = /\.(\d+)Z$/.exec(message.timestamp) ?? [];
  return (
    BigInt(Math.floor(message.time.getTime() / 1000)) * 1_000_000_000n +
    BigInt(fraction.padEnd(9, '0').slice(0, 9))
  );
};

/** Checks the stream holds every event once, the last one last, and reads its rate from the stored timestamps. */
async function rateOf(
  jsm: JetStreamManager,
  stream: string,
  events: number,
  head: number,
): Promise<Measurement> {
  const { state } = await jsm.streams.info(stream);
  if (state.messages !== events)
    throw new Error(`stream ${stream} holds ${state.messages} messages, expected ${events}`);
  const first = await jsm.streams.getMessage(stream, { seq: state.first_seq });
  const last = await jsm.streams.getMessage(stream, { seq: state.last_seq });
  if (last.header.get('Chronicle-Position') !== String(head))
    throw new Error(
      `the last message is at position ${last.header.get('Chronicle-Position')}, not ${head}`,
    );
  const seconds = Number(nanosOf(last) - nanosOf(first)) / 1e9;
  return { ops: events - 1, seconds };
}

/**
 * The app in this process with its relay on, under the HTTP deposit load of the http scenario: for every deposit,
 * from the repository's publish after the commit to a JetStream consumer of the stream (an ordered pull consumer,
 * as a consumer service reads) receiving it: what a consumer on the other side waits, not only the publish.
 */
async function latencyUnderLoad(
  context: ScenarioContext,
  nc: NatsConnection,
): Promise<ScenarioResult> {
  const { sizes } = context;
  const id = randomBytes(4).toString('hex');
  const stream = `BENCH_RELAY_${id}`;
  const subjectPrefix = `bench_${id}`;
  const pool = new pg.Pool({ connectionString: context.db.url, max: 2 });
  await pool.query(
    'TRUNCATE events, streams, account_balances, account_transactions, idempotency_keys',
  );
  await pool.query('DELETE FROM projection_checkpoints');
  await pool.end();
  const running = await createApp({
    ...loadConfig({
      ...BENCH_APP_ENV,
      NATS_URL,
      NATS_STREAM: stream,
      NATS_SUBJECT_PREFIX: subjectPrefix,
    }),
    databaseUrl: context.db.url,
  });
  const jsm = await nc.jetstreamManager();
  try {
    const app = running.app;
    const store = app.get(PostgresEventStore);
    const runner = app.get(ProjectionRunner);
    const ids = accountIds(sizes.httpAccounts, 'relay');
    await openAccounts(store, ids);
    const drain = async () => {
      const head = await store.headPosition();
      if (!(await runner.waitFor(head, ['integration-relay'], 120_000)))
        throw new Error('the relay did not drain');
    };
    runner.notify();
    await drain();
    await app.listen(0, '127.0.0.1');
    const port = (app.getHttpServer().address() as AddressInfo).port;

    const committed = new Map<string, number>();
    const arrived = new Map<string, number>();
    const published = app.get(EventBus).subscribe((event) => {
      if (event instanceof PersistedEvent && event.type === 'MoneyDeposited')
        committed.set(event.eventId, performance.now());
    });
    const consumer = await nc.jetstream().consumers.get(stream, {
      filterSubjects: `${subjectPrefix}.accounts.MoneyDeposited`,
      deliver_policy: DeliverPolicy.New,
    });
    const subscription = await consumer.consume({
      callback: (message) => {
        const msgId = message.headers?.get('Nats-Msg-Id');
        if (msgId && !arrived.has(msgId)) arrived.set(msgId, performance.now());
      },
    });
    const out = await runChild<LoadOutput>('autocannon', {
      baseUrl: `http://127.0.0.1:${port}`,
      method: 'POST',
      path: '/accounts/{id}/deposits',
      ids,
      tokens: Array.from({ length: 50 }, (_, i) => benchToken(`teller-${i}`, ['teller'])),
      body: { amount: 2500, description: 'Salary' },
      connections: sizes.httpConnections,
      seconds: sizes.httpSeconds,
    } satisfies LoadInput);
    await drain();
    await waitUntil(() => [...committed.keys()].every((eventId) => arrived.has(eventId)), 30_000);
    published.unsubscribe();
    await subscription.close();
    const lags = [...committed].map(([eventId, at]) => (arrived.get(eventId) ?? NaN) - at);
    const missing = lags.filter(Number.isNaN).length;
    if (missing > 0) throw new Error(`${missing} committed deposits never reached the consumer`);
    const positive = lags.map((lag) => Math.max(0, lag));
    return {
      id: 'relay-latency',
      title:
        'relay latency (commit to a JetStream consumer receiving the message) under the HTTP deposit load',
      unit: 'ms',
      target: { kind: 'report', text: 'p50 / p99 reported' },
      status: 'reported',
      figures: {
        'p50 (ms)': round2(percentile(positive, 50)),
        'p99 (ms)': round2(percentile(positive, 99)),
        'max (ms)': round2(maxOf(positive)),
        deposits: positive.length,
        'deposits/s': Math.round(out.ok / out.seconds),
      },
      notes: [
        `autocannon ${sizes.httpConnections} connections for ${sizes.httpSeconds} s over ${sizes.httpAccounts} accounts; ` +
          "every deposit: from the repository's publish after the commit to an ordered JetStream consumer of the stream " +
          '(filtered on its subject, in this process) receiving the stored message',
      ],
    };
  } finally {
    await running.close();
    await deleteStream(jsm, stream);
  }
}

const round2 = (value: number) => Math.round(value * 100) / 100;

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}
