import pg from 'pg';
import { snapshottedAccountDefinition } from '../../src/accounts/account.snapshot.js';
import { accountDefinition, type AccountState } from '../../src/accounts/domain/account.js';
import type { AccountEvent } from '../../src/accounts/domain/account.events.js';
import { EventSourcedRepository } from '../../src/event-store/index.js';
import { READ_STREAM } from '../baseline/baseline-sql.js';
import { alternate, type Side } from '../harness/alternate.js';
import { truncate, vacuumAnalyze } from '../harness/database.js';
import { profiled } from '../harness/profile.js';
import { accountIds, accountStore, loadStream, streamOf } from '../harness/fixtures.js';
import type { Measurement } from '../harness/stats.js';
import { atLeast, compared, type Scenario } from './scenario.js';

/**
 * Loads one account of `streamLength` events: ours with EventSourcedRepository.load (readStream, then the domain's
 * evolve); the baseline selects what the fold needs and runs the same evolve.
 */
export const readStreamScenario: Scenario = {
  id: 'read-stream',
  async run(context) {
    const { streamLength, streamLoads } = context.sizes;
    const pool = new pg.Pool({ connectionString: context.db.url, max: 2 });
    try {
      const [id] = accountIds(1, 'long-stream');
      await truncate(pool, 'events', 'bench_baseline_events');
      await loadStream(pool, id, streamLength);
      await vacuumAnalyze(pool, 'events', 'bench_baseline_events');
      const repository = new EventSourcedRepository(
        accountStore(pool),
        { publishAll: () => undefined },
        snapshottedAccountDefinition,
      );

      const loads = async (load: () => Promise<number>): Promise<Measurement> => {
        const latenciesMs: number[] = [];
        const start = performance.now();
        for (let i = 0; i < streamLoads; i++) {
          const began = performance.now();
          const version = await load();
          if (version !== streamLength)
            throw new Error(`loaded version ${version}, expected ${streamLength}`);
          latenciesMs.push(performance.now() - began);
        }
        return { ops: streamLoads, seconds: (performance.now() - start) / 1000, latenciesMs };
      };
      const ours: Side = {
        measure: () =>
          profiled('read-stream', () => loads(async () => (await repository.load(id)).version)),
      };
      const baseline: Side = {
        measure: () =>
          loads(async () => {
            const { rows } = await pool.query<{
              stream_version: number;
              type: string;
              data: unknown;
            }>(READ_STREAM, [streamOf(id)]);
            let state: AccountState = accountDefinition.initialState();
            for (const row of rows)
              state = accountDefinition.evolve(state, {
                type: row.type,
                data: row.data,
              } as AccountEvent);
            if (state.status !== 'open') throw new Error('the account did not fold open');
            return rows.length ? rows[rows.length - 1].stream_version : 0;
          }),
      };
      context.log(
        `  read one stream of ${streamLength.toLocaleString('en-US')} events and fold it`,
      );
      const runs = await alternate({ ...context.sizes, log: context.log }, ours, baseline);
      return [
        compared(
          {
            id: 'read-stream',
            title: `read one stream of ${streamLength.toLocaleString('en-US')} events and fold it into an aggregate`,
            unit: 'loads/s',
            target: atLeast(0.8),
            notes: [`${streamLoads} sequential loads per measurement; latency per load`],
          },
          runs,
        ),
      ];
    } finally {
      await pool.end();
    }
  },
};
