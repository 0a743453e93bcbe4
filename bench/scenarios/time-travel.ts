import pg from 'pg';
import { snapshottedAccountDefinition } from '../../src/accounts/account.snapshot.js';
import { deposit } from '../../src/accounts/domain/account.js';
import { GetAccountAsOfHandler } from '../../src/accounts/queries/get-account-as-of/get-account-as-of.handler.js';
import { GetAccountAsOfQuery } from '../../src/accounts/queries/get-account-as-of/get-account-as-of.query.js';
import { GetAccountHistoryHandler } from '../../src/accounts/queries/get-account-history/get-account-history.handler.js';
import { GetAccountHistoryQuery } from '../../src/accounts/queries/get-account-history/get-account-history.query.js';
import { EventSourcedRepository, PostgresSnapshotStore } from '../../src/event-store/index.js';
import { alternate, type Side } from '../harness/alternate.js';
import { truncate, vacuumAnalyze } from '../harness/database.js';
import { accountIds, accountStore, loadStream, streamOf } from '../harness/fixtures.js';
import { pairedRatio, summarise, timed, type Measurement } from '../harness/stats.js';
import { judge, type Scenario, type ScenarioResult, type Target } from './scenario.js';

const EVERY = 100;
const LONG = 100_000;
const SHORT = 100;

/** Deposits `from..to` written straight into the stream, as a long history would be. */
const APPEND_DEPOSITS = `
INSERT INTO events (stream_id, stream_version, event_id, type, schema_version, data)
SELECT $1, v, gen_random_uuid(), 'MoneyDeposited', 2,
  jsonb_build_object('accountId', $2::text, 'amount', 100, 'source', 'transfer')
FROM generate_series($3::int, $4::int) AS v`;

/**
 * GET /accounts/:id?asOf=<after the last event> through its query handler (snapshots every 100 events), of an
 * account of 100,000 events against one of 100. The long one grew by commands, so it has a snapshot every 100
 * events; its last is 100 events behind the head (the worst case: the request folds 100 events after it). The short
 * one has no snapshot and folds its 100 events. The figure is the time ratio long / short, as for the snapshot load.
 */
export const timeTravelScenario: Scenario = {
  id: 'time-travel',
  async run(context) {
    const requests = context.mode === 'quick' ? 200 : 1000;
    const pool = new pg.Pool({ connectionString: context.db.url, max: 2 });
    try {
      const [long, short] = accountIds(2, 'time-travel');
      await truncate(pool, 'events', 'bench_baseline_events', 'snapshots');
      const store = accountStore(pool);
      const snapshots = new PostgresSnapshotStore(pool);
      const repository = new EventSourcedRepository({
        store,
        publisher: { publishAll: () => undefined },
        definition: snapshottedAccountDefinition,
        snapshots: { store: snapshots, every: EVERY },
      });
      const oneDeposit = () =>
        repository.update(long, (state) => deposit(state, { accountId: long, amount: 1 }));
      context.log(
        `  ${LONG.toLocaleString('en-US')} events, a deposit command every ${EVERY} (a snapshot each)`,
      );
      const [, buildMs] = await timed(async () => {
        await loadStream(pool, long, EVERY - 1);
        await oneDeposit();
        for (let head = EVERY; head < LONG - EVERY; head += EVERY) {
          await pool.query(APPEND_DEPOSITS, [streamOf(long), long, head + 1, head + EVERY - 1]);
          await oneDeposit();
        }
        await pool.query(APPEND_DEPOSITS, [streamOf(long), long, LONG - EVERY + 1, LONG]);
      });
      context.log(`    built in ${Math.round(buildMs)} ms`);
      await loadStream(pool, short, SHORT);
      await vacuumAnalyze(pool, 'events', 'snapshots');
      const { rows } = await pool.query<{ n: number; last: number }>(
        'SELECT count(*)::int AS n, max(stream_version) AS last FROM snapshots WHERE stream_id = $1',
        [streamOf(long)],
      );
      if (rows[0].last !== LONG - EVERY || rows[0].n !== LONG / EVERY - 1)
        throw new Error(
          `expected ${LONG / EVERY - 1} snapshots up to ${LONG - EVERY}, found ${JSON.stringify(rows[0])}`,
        );

      const config = { snapshotEvery: EVERY };
      const asOf = new GetAccountAsOfHandler(store, snapshots, config);
      const history = new GetAccountHistoryHandler(store, snapshots, config);
      const end = () => new GetAccountAsOfQuery(long, { asOf: new Date(Date.now() + 60_000) });
      const measure = (id: string, version: number): Side => ({
        measure: async (): Promise<Measurement> => {
          const latenciesMs: number[] = [];
          const start = performance.now();
          for (let i = 0; i < requests; i++) {
            const began = performance.now();
            const account = await asOf.execute(
              new GetAccountAsOfQuery(id, { asOf: new Date(Date.now() + 60_000) }),
            );
            if (account.version !== version)
              throw new Error(
                `time travel reached version ${account.version}, expected ${version}`,
              );
            latenciesMs.push(performance.now() - began);
          }
          return { ops: requests, seconds: (performance.now() - start) / 1000, latenciesMs };
        },
      });
      const runs = await alternate(
        { ...context.sizes, log: context.log },
        measure(long, LONG),
        measure(short, SHORT),
      );
      const [, atVersionMs] = await timed(() =>
        asOf.execute(new GetAccountAsOfQuery(long, { atVersion: LONG / 2 + 37 })),
      );
      const [lastPage, historyMs] = await timed(() =>
        history.execute(
          new GetAccountHistoryQuery({ accountId: long, fromVersion: LONG - 99, limit: 100 }),
        ),
      );
      if (lastPage.items.length !== 100) throw new Error('the last history page is not 100 lines');
      // The fold from the first event that time travel did before: snapshots off.
      const [, fullFoldMs] = await timed(() =>
        new GetAccountAsOfHandler(store, snapshots, { snapshotEvery: 0 }).execute(end()),
      );
      const ours = summarise(runs.ours);
      const baseline = summarise(runs.baseline);
      // Requests per second short / long is the request time long / short.
      const ratio = pairedRatio(baseline.perRound, ours.perRound);
      const target: Target = { kind: 'ratio', atMost: 2, text: 'time ratio <= 2' };
      const result: ScenarioResult = {
        id: 'time-travel',
        title: `time travel (asOf after the last event) on an account with ${LONG.toLocaleString('en-US')} events vs one with ${SHORT} (snapshots on)`,
        unit: 'requests/s',
        target,
        ratioOf: `request time of the ${LONG.toLocaleString('en-US')}-event account / the ${SHORT}-event one ("ours" / "baseline" columns)`,
        ours,
        baseline,
        ratio,
        status: judge(target, ratio.median),
        figures: {
          'atVersion in the middle of the long stream, one request (ms)': Number(
            atVersionMs.toFixed(2),
          ),
          'history page of 100 lines at the end of the long stream, one request (ms)': Number(
            historyMs.toFixed(2),
          ),
          'the same asOf folding from the first event (SNAPSHOT_EVERY=0), one request (ms)':
            Math.round(fullFoldMs),
        },
        notes: [
          `${requests} sequential GetAccountAsOfHandler requests per measurement; snapshots every ${EVERY} events`,
          `the long account's snapshots are at every multiple of ${EVERY} up to ${(LONG - EVERY).toLocaleString('en-US')}: ` +
            `each request reads that one and folds the ${EVERY} events after it; the short account has no snapshot and folds ${SHORT}`,
          `for scale: atVersion ${(LONG / 2 + 37).toLocaleString('en-US')} took ${atVersionMs.toFixed(1)} ms, the last history page ` +
            `${historyMs.toFixed(1)} ms, and the fold of all ${LONG.toLocaleString('en-US')} events (as before snapshots were used) ${Math.round(fullFoldMs)} ms`,
        ],
      };
      return [result];
    } finally {
      await pool.end();
    }
  },
};
