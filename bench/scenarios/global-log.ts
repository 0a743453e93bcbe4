import pg from 'pg';
import { type Checkpoint, START } from '../../src/event-store/index.js';
import { READ_LOG_PAGE } from '../baseline/baseline-sql.js';
import type { CatchUpInput, CatchUpOutput } from '../children/catch-up.child.js';
import type { ReadLogInput, ReadLogOutput } from '../children/read-log.child.js';
import { alternate, concurrently, type Side } from '../harness/alternate.js';
import { runChild } from '../harness/children.js';
import { expectRows, truncate, vacuumAnalyze } from '../harness/database.js';
import { accountIds, accountStore, growLog, streamOf } from '../harness/fixtures.js';
import {
  openPeer,
  PEER_MESSAGES,
  PEER_NAME,
  peerAccountEvents,
  type PeerStore,
  resetPeer,
} from '../harness/peer.js';
import { median, type Measurement } from '../harness/stats.js';
import {
  atLeast,
  compared,
  judge,
  type Scenario,
  type ScenarioContext,
  type ScenarioResult,
  type Target,
  withPeer,
} from './scenario.js';

const LOG_STREAMS = 10_000;

/**
 * The global log: our late-commit-safe readAll against the naive keyset read, then the projection catching up
 * from zero (in a child process, for a clean peak RSS) against the baseline read of the same log.
 */
export const globalLogScenario: Scenario = {
  id: 'global-log',
  async run(context) {
    const { sizes } = context;
    const pool = new pg.Pool({ connectionString: context.db.url, max: 2 });
    const peerStore = await openPeer(context.db.url);
    try {
      await truncate(
        pool,
        'events',
        'bench_baseline_events',
        'account_balances',
        'account_transactions',
      );
      await pool.query('DELETE FROM projection_checkpoints');
      context.log(`  loading a log of ${sizes.smallLog.toLocaleString('en-US')} events`);
      await growLog(pool, 0, sizes.smallLog, LOG_STREAMS);
      await vacuumAnalyze(pool, 'events', 'bench_baseline_events');
      context.log(
        `  projection catch-up over ${sizes.smallLog.toLocaleString('en-US')} events (peak RSS reference)`,
      );
      const small: CatchUp[] = [];
      for (let i = 0; i < sizes.catchUpRounds; i++)
        small.push(await catchUp(context, pool, sizes.smallLog));

      context.log(`  growing the log to ${sizes.log.toLocaleString('en-US')} events`);
      await growLog(pool, sizes.smallLog, sizes.log, LOG_STREAMS);
      context.log(`  the same size of log in ${PEER_NAME}`);
      await loadPeerLog(peerStore, sizes.log, LOG_STREAMS);
      await expectRows(pool, PEER_MESSAGES, sizes.log);
      await vacuumAnalyze(pool, 'events', 'bench_baseline_events', PEER_MESSAGES);

      context.log(
        `  read the whole log in global order, ${sizes.log.toLocaleString('en-US')} events`,
      );
      const readAllRuns = await readRuns(context, pool, peerStore);
      const readAll = checked(
        withPeer(
          compared(
            {
              id: 'read-all',
              title: `read the whole log in global order (late-commit-safe readAll), ${sizes.log.toLocaleString('en-US')} events`,
              unit: 'events/s',
              target: atLeast(0.7),
              notes: [
                `pages of ${sizes.readPage}; latency per page. Baseline: WHERE global_position > $1 ORDER BY global_position`,
              ],
            },
            readAllRuns,
          ),
          readAllRuns.ours,
          {
            name: PEER_NAME,
            runs: readAllRuns.others.peer,
            notes: [
              `${PEER_NAME}: its consumer (the public read of its log) with one reactor from the beginning, ` +
                `pulling.batchSize ${sizes.readPage}, pullingFrequencyInMs 0 (no pause between full pages), stopWhen noMessagesLeft; ` +
                'its reactor stores its checkpoint after each message (Emmett 0.42 calls eachMessage only)',
            ],
          },
        ),
        sizes.log,
        'readAll',
      );

      context.log(
        `  projection catch-up from zero over ${sizes.log.toLocaleString('en-US')} events`,
      );
      const large: CatchUp[] = [];
      const baselineRss: number[] = [];
      const asMeasurement = (out: CatchUp): Measurement => ({
        ops: out.applied,
        seconds: out.seconds,
        counters: {
          peakRssMiB: out.peakRssMiB,
          ...completeness(out.events, out.applied, out.reachedHead),
        },
      });
      // Each round also runs the catch-up under a 128 MiB old space right after the default one: paired in time.
      const small128: Measurement[] = [];
      const ours: Side = {
        measure: async () => {
          const out = await catchUp(context, pool, sizes.log);
          large.push(out);
          small128.push(asMeasurement(await catchUp(context, pool, sizes.log, SMALL_HEAP)));
          return asMeasurement(out);
        },
      };
      const baseline: Side = {
        measure: async () => {
          const out = await runChild<ReadLogOutput>('read-log', {
            databaseUrl: context.db.url,
            page: sizes.readPage,
          } satisfies ReadLogInput);
          baselineRss.push(out.peakRssMiB);
          return {
            ops: out.events,
            seconds: out.seconds,
            counters: { peakRssMiB: out.peakRssMiB, ...completeness(sizes.log, out.events, true) },
          };
        },
      };
      const runs = await alternate(
        { rounds: sizes.catchUpRounds, warmups: 0, log: context.log },
        ours,
        baseline,
      );
      const catchUpResult = checked(
        compared(
          {
            id: 'projection-catch-up',
            title: `projection catch-up from zero over ${sizes.log.toLocaleString('en-US')} events vs the baseline read of the log`,
            unit: 'events/s',
            target: atLeast(0.5),
            notes: [
              'ours: the app module in a child process, clock from app.init() to the accounts projection reaching the head; ' +
                `baseline: the same events read with bare pg in a child process, in commit-safe order (the read horizon, keyset on (transaction_id, global_position)), pages of ${sizes.readPage}, the columns the projection reads`,
            ],
          },
          runs,
        ),
        sizes.log,
        'the projection',
      );

      const smallHeap = checked(
        compared(
          {
            id: 'projection-catch-up-128mb',
            title: `projection catch-up over ${sizes.log.toLocaleString('en-US')} events with ${SMALL_HEAP.join(' ')} vs the default heap`,
            unit: 'events/s',
            target: atLeast(0.9),
            notes: [
              'memory bound: the same catch-up child, run right after each default-heap run of the row above, with V8 limited to a 128 MiB old space',
            ],
          },
          { ours: small128, baseline: runs.ours },
        ),
        sizes.log,
        'the projection under 128 MiB',
      );

      const rssSmall = median(small.map((s) => s.peakRssMiB));
      const rssLarge = median(runs.ours.map((m) => m.counters!.peakRssMiB));
      const rssTarget: Target = { kind: 'ratio', atMost: 1.2, text: '<= 1.2' };
      const rssRatio = rssLarge / rssSmall;
      const rss = {
        id: 'projection-catch-up-rss',
        title: `peak RSS of the catch-up at ${sizes.log.toLocaleString('en-US')} events / at ${sizes.smallLog.toLocaleString('en-US')} events`,
        unit: 'MiB',
        target: rssTarget,
        ratioOf: `peak RSS at ${sizes.log} / peak RSS at ${sizes.smallLog} (process.resourceUsage().maxRSS of the child)`,
        ratio: { median: rssRatio, min: rssRatio, max: rssRatio, perRound: [rssRatio] },
        status: judge(rssTarget, rssRatio),
        figures: {
          [`peak RSS at ${sizes.log} (MiB)`]: round1(rssLarge),
          [`peak RSS at ${sizes.smallLog} (MiB)`]: round1(rssSmall),
          'RSS after module init, before catch-up (MiB)': round1(
            median([...small, ...large].map((s) => s.rssBeforeMiB)),
          ),
          [`baseline reader peak RSS at ${sizes.log} (MiB)`]: round1(median(baselineRss)),
          [`peak V8 heap used / reserved at ${sizes.log} (MiB)`]: `${round1(median(large.map((s) => s.peakHeapUsedMiB)))} / ${round1(median(large.map((s) => s.peakHeapTotalMiB)))}`,
          [`peak V8 heap used / reserved at ${sizes.smallLog} (MiB)`]: `${round1(median(small.map((s) => s.peakHeapUsedMiB)))} / ${round1(median(small.map((s) => s.peakHeapTotalMiB)))}`,
          [`V8 heap retained after the catch-up (after a full GC) at ${sizes.log} / at ${sizes.smallLog} (MiB)`]: `${round1(median(large.map((s) => s.retainedHeapMiB)))} / ${round1(median(small.map((s) => s.retainedHeapMiB)))}`,
          [`full GCs during the catch-up at ${sizes.log} / at ${sizes.smallLog}`]: `${median(large.map((s) => s.fullGcs))} / ${median(small.map((s) => s.fullGcs))}`,
          [`catch-up at ${sizes.smallLog} (events/s)`]: Math.round(
            median(small.map((s) => s.applied / s.seconds)),
          ),
          [`events applied at ${sizes.smallLog}`]: small.map((s) => s.applied).join(', '),
        },
        notes: ['lower is better; medians over the catch-up runs at each size'],
      };
      return [readAll, catchUpResult, smallHeap, rss];
    } finally {
      await Promise.all([pool.end(), peerStore.close()]);
    }
  },
};

const round1 = (value: number) => Math.round(value * 10) / 10;

interface CatchUp extends CatchUpOutput {
  events: number;
  /** Events the projection applied: one read-model row per event (a balance per AccountOpened, a line per deposit). */
  applied: number;
}

/** The memory bound of issue 15: the catch-up completes within 128 MiB of old space at no more than 10 % lower speed. */
const SMALL_HEAP = ['--max-old-space-size=128'];

async function catchUp(
  context: ScenarioContext,
  pool: pg.Pool,
  events: number,
  flags: string[] = [],
): Promise<CatchUp> {
  await truncate(pool, 'account_balances', 'account_transactions');
  await pool.query('DELETE FROM projection_checkpoints');
  const { rows } = await pool.query<{ head: string; count: string }>(
    'SELECT max(global_position) AS head, count(*) AS count FROM events',
  );
  if (Number(rows[0].count) !== events)
    throw new Error(`the log holds ${rows[0].count} events, expected ${events}`);
  const input: CatchUpInput = {
    databaseUrl: context.db.url,
    head: Number(rows[0].head),
    capSeconds: context.sizes.catchUpCapSeconds,
  };
  // --expose-gc only to measure the retained heap once the catch-up is over (after the peak RSS is read).
  const out = await runChild<CatchUpOutput>('catch-up', input, ['--expose-gc', ...flags]);
  const { rows: counted } = await pool.query<{ applied: string }>(
    'SELECT (SELECT count(*) FROM account_balances) + (SELECT count(*) FROM account_transactions) AS applied',
  );
  const applied = Number(counted[0].applied);
  context.log(
    `    catch-up over ${events} events${flags.length ? ` (${flags.join(' ')})` : ''}: applied ${applied} in ${out.seconds.toFixed(1)} s (${Math.round(applied / out.seconds)} events/s)` +
      `${out.reachedHead ? '' : `, stopped at the ${context.sizes.catchUpCapSeconds} s cap`}, peak RSS ${out.peakRssMiB.toFixed(0)} MiB` +
      ` (V8 heap used ${out.peakHeapUsedMiB.toFixed(0)} MiB)`,
  );
  return { ...out, events, applied };
}

/** Counters that flag a run that stopped at the time cap, or that reached the end without delivering every event. */
function completeness(expected: number, delivered: number, reachedEnd: boolean) {
  return { capped: reachedEnd ? 0 : 1, skipped: reachedEnd ? expected - delivered : 0 };
}

/** Turns a run whose ours side skipped events into a failure, and says so; notes capped runs. */
function checked(result: ScenarioResult, expected: number, what: string): ScenarioResult {
  const skipped = result.ours?.counters.skipped ?? [];
  const capped = result.ours?.counters.capped ?? [];
  const notes = [...result.notes];
  if (capped.some((c) => c > 0)) {
    notes.push(
      `ours stopped at the time cap in ${capped.filter((c) => c > 0).length} of ${capped.length} runs: its rate is over the part it did`,
    );
  }
  if (skipped.some((s) => s > 0)) {
    notes.push(
      `CORRECTNESS: ${what} reached the end of the log without ${Math.max(...skipped)} of ${expected} events (skipped)`,
    );
    return { ...result, status: 'failed', notes };
  }
  return { ...result, notes };
}

async function readRuns(context: ScenarioContext, pool: pg.Pool, peerStore: PeerStore) {
  const { readPage, readCapSeconds, log: expected } = context.sizes;
  const store = accountStore(pool);
  const pages = async (
    page: (after: number) => Promise<[count: number, next: number]>,
  ): Promise<Measurement> => {
    const latenciesMs: number[] = [];
    let after = 0;
    let ops = 0;
    let reachedEnd = false;
    const start = performance.now();
    while (performance.now() - start < readCapSeconds * 1000) {
      const began = performance.now();
      const [count, next] = await page(after);
      latenciesMs.push(performance.now() - began);
      if (count === 0) {
        reachedEnd = true;
        break;
      }
      ops += count;
      after = next;
    }
    return {
      ops,
      seconds: (performance.now() - start) / 1000,
      latenciesMs,
      counters: completeness(expected, ops, reachedEnd),
    };
  };
  let checkpoint: Checkpoint = START;
  const ours: Side = {
    prepare: async () => void (checkpoint = START),
    measure: () =>
      pages(async () => {
        const events = await store.readAll({ after: checkpoint, limit: readPage });
        if (events.length) checkpoint = events[events.length - 1].checkpoint;
        return [events.length, 0];
      }),
  };
  const baseline: Side = {
    measure: () =>
      pages(async (after) => {
        const { rows } = await pool.query<{ global_position: string }>(READ_LOG_PAGE, [
          after,
          readPage,
        ]);
        return [rows.length, rows.length ? Number(rows[rows.length - 1].global_position) : after];
      }),
  };
  let consumers = 0;
  const peer: Side = {
    async measure() {
      // Emmett's public read of the whole log is its consumer: a reactor from the beginning, pages of `readPage`,
      // no pause between full pages, stopping when no message is left (or at the time cap, like the others).
      let ops = 0;
      let reachedEnd = true;
      const consumer = peerStore.consumer({
        stopWhen: { noMessagesLeft: true },
        pulling: { batchSize: readPage, pullingFrequencyInMs: 0 },
      });
      const start = performance.now();
      consumer.reactor({
        processorId: `bench-read-all-${++consumers}`,
        startFrom: 'BEGINNING',
        // Emmett 0.42's reactor calls eachMessage only (an eachBatch is ignored), storing its checkpoint after each.
        eachMessage: () => {
          ops++;
          if (performance.now() - start < readCapSeconds * 1000) return;
          reachedEnd = false;
          return { type: 'STOP' };
        },
      });
      await consumer.start();
      const seconds = (performance.now() - start) / 1000;
      await consumer.stop();
      return { ops, seconds, counters: completeness(expected, ops, reachedEnd) };
    },
  };
  return alternate(
    { rounds: context.sizes.readAllRounds, warmups: context.sizes.warmups, log: context.log },
    ours,
    baseline,
    { peer },
  );
}

/**
 * The same size of log in Emmett, through its appendToStream: `streams` streams of an AccountOpened then deposits,
 * a stream's events in one append, 8 appends at a time.
 */
async function loadPeerLog(store: PeerStore, total: number, streams: number) {
  await resetPeer(store);
  const perStream = Math.ceil(total / streams);
  const ids = accountIds(streams, 'peer-log');
  await concurrently(8, streams, async (s) => {
    const count = Math.min(perStream, total - s * perStream);
    if (count <= 0) return;
    await store.appendToStream(streamOf(ids[s]), peerAccountEvents(ids[s], count), {
      expectedStreamVersion: 0n,
    });
  });
}
