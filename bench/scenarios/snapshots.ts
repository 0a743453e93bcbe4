import pg from 'pg';
import { snapshottedAccountDefinition } from '../../src/accounts/account.snapshot.js';
import { deposit } from '../../src/accounts/domain/account.js';
import { EventSourcedRepository, PostgresSnapshotStore } from '../../src/event-store/index.js';
import { alternate, type Side } from '../harness/alternate.js';
import { truncate, vacuumAnalyze } from '../harness/database.js';
import { accountIds, accountStore, loadStream } from '../harness/fixtures.js';
import { pairedRatio, summarise, timed, type Measurement } from '../harness/stats.js';
import { judge, type Scenario, type ScenarioResult, type Target } from './scenario.js';

const EVERY = 100;
const LONG = 100_000;
const SHORT = 100;

/**
 * EventSourcedRepository.load with snapshots on (every 100 events), of an account of 100,000 events against one of
 * 100. The long one is in its worst case: its snapshot is 99 events old, so the load folds a snapshot and 99 events;
 * the short one has no snapshot yet and folds its 100 events. The figure is the load-time ratio long / short.
 */
export const snapshotsScenario: Scenario = {
  id: 'snapshots',
  async run(context) {
    const loads = context.mode === 'quick' ? 200 : 1000;
    const pool = new pg.Pool({ connectionString: context.db.url, max: 2 });
    try {
      const [long, short] = accountIds(2, 'snapshots');
      await truncate(pool, 'events', 'bench_baseline_events', 'snapshots');
      const repository = new EventSourcedRepository({
        store: accountStore(pool),
        publisher: { publishAll: () => undefined },
        definition: snapshottedAccountDefinition,
        snapshots: { store: new PostgresSnapshotStore(pool), every: EVERY },
      });
      context.log(`  ${LONG.toLocaleString('en-US')} events, snapshot 99 events behind the head`);
      await loadStream(pool, long, LONG - EVERY);
      const [, coldMs] = await timed(() =>
        repository.update(long, (state) => deposit(state, { accountId: long, amount: 1 })),
      );
      await pool.query(
        `INSERT INTO events (stream_id, stream_version, event_id, type, schema_version, data)
         SELECT $1, v, gen_random_uuid(), 'MoneyDeposited', 2,
           jsonb_build_object('accountId', $2::text, 'amount', 100, 'source', 'transfer')
         FROM generate_series($3::int, $4::int) AS v`,
        [`account-${long}`, long, LONG - EVERY + 2, LONG],
      );
      context.log(`    first load, folding every event, and snapshot: ${Math.round(coldMs)} ms`);
      await loadStream(pool, short, SHORT);
      await vacuumAnalyze(pool, 'events', 'snapshots');
      const { rows } = await pool.query<{ stream_version: number }>(
        'SELECT stream_version FROM snapshots WHERE stream_id = $1',
        [`account-${long}`],
      );
      if (rows[0]?.stream_version !== LONG - EVERY + 1)
        throw new Error(
          `expected a snapshot at ${LONG - EVERY + 1}, found ${rows[0]?.stream_version}`,
        );

      const measure = (id: string, version: number): Side => ({
        measure: async (): Promise<Measurement> => {
          const latenciesMs: number[] = [];
          const start = performance.now();
          for (let i = 0; i < loads; i++) {
            const began = performance.now();
            const aggregate = await repository.load(id);
            if (aggregate.version !== version || aggregate.state.status !== 'open')
              throw new Error(`loaded version ${aggregate.version}, expected ${version}`);
            latenciesMs.push(performance.now() - began);
          }
          return { ops: loads, seconds: (performance.now() - start) / 1000, latenciesMs };
        },
      });
      const runs = await alternate(
        { ...context.sizes, log: context.log },
        measure(long, LONG),
        measure(short, SHORT),
      );
      const ours = summarise(runs.ours);
      const baseline = summarise(runs.baseline);
      // Loads per second short / long is the load time long / short.
      const ratio = pairedRatio(baseline.perRound, ours.perRound);
      const target: Target = { kind: 'ratio', atMost: 2, text: 'time ratio <= 2' };
      const result: ScenarioResult = {
        id: 'snapshots',
        title: `load an aggregate with ${LONG.toLocaleString('en-US')} events vs one with ${SHORT} (snapshots on)`,
        unit: 'loads/s',
        target,
        ratioOf: `load time of the ${LONG.toLocaleString('en-US')}-event aggregate / the ${SHORT}-event one ("ours" / "baseline" columns)`,
        ours,
        baseline,
        ratio,
        status: judge(target, ratio.median),
        figures: { 'first load of the long stream, without a snapshot (ms)': Math.round(coldMs) },
        notes: [
          `${loads} sequential loads per measurement; snapshots every ${EVERY} events`,
          `the long stream's snapshot is at version ${LONG - EVERY + 1}: each load reads it and folds ${EVERY - 1} events; ` +
            `the short stream has no snapshot and folds ${SHORT}`,
          `for scale, the one load that folded all ${(LONG - EVERY).toLocaleString('en-US')} events (and wrote the snapshot) took ${Math.round(coldMs)} ms`,
        ],
      };
      return [result];
    } finally {
      await pool.end();
    }
  },
};
