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
import {
  openPeer,
  PEER_MESSAGES,
  PEER_NAME,
  peerAccountEvents,
  type PeerStore,
} from '../harness/peer.js';
import type { Measurement } from '../harness/stats.js';
import { atLeast, compared, type Scenario, withPeer } from './scenario.js';

/**
 * Loads one account of `streamLength` events: ours with EventSourcedRepository.load (readStream, then the domain's
 * evolve); the baseline selects what the fold needs and runs the same evolve; the peer is Emmett's aggregateStream
 * with the same evolve and initial state.
 */
export const readStreamScenario: Scenario = {
  id: 'read-stream',
  async run(context) {
    const { streamLength, streamLoads } = context.sizes;
    const pool = new pg.Pool({ connectionString: context.db.url, max: 2 });
    const peerStore = await openPeer(context.db.url);
    try {
      const [id] = accountIds(1, 'long-stream');
      await truncate(pool, 'events', 'bench_baseline_events');
      await loadStream(pool, id, streamLength);
      await loadPeerStream(peerStore, id, streamLength);
      await vacuumAnalyze(pool, 'events', 'bench_baseline_events', PEER_MESSAGES);
      const repository = new EventSourcedRepository({
        store: accountStore(pool),
        publisher: { publishAll: () => undefined },
        definition: snapshottedAccountDefinition,
      });

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
      const peer: Side = {
        measure: () =>
          loads(async () => {
            const { state, currentStreamVersion } = await peerStore.aggregateStream(streamOf(id), {
              evolve: (state: AccountState, event: { type: string; data: unknown }) =>
                accountDefinition.evolve(state, {
                  type: event.type,
                  data: event.data,
                } as AccountEvent),
              initialState: () => accountDefinition.initialState(),
            });
            if (state.status !== 'open') throw new Error('the account did not fold open');
            return Number(currentStreamVersion);
          }),
      };
      context.log(
        `  read one stream of ${streamLength.toLocaleString('en-US')} events and fold it`,
      );
      const runs = await alternate({ ...context.sizes, log: context.log }, ours, baseline, {
        peer,
      });
      return [
        withPeer(
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
          runs.ours,
          { name: PEER_NAME, runs: runs.others.peer },
        ),
      ];
    } finally {
      await Promise.all([pool.end(), peerStore.close()]);
    }
  },
};

/** The same account in Emmett, appended 1,000 events at a time. */
async function loadPeerStream(store: PeerStore, accountId: string, length: number) {
  const events = peerAccountEvents(accountId, length);
  for (let from = 0; from < events.length; from += 1000)
    await store.appendToStream(streamOf(accountId), events.slice(from, from + 1000), {
      expectedStreamVersion: BigInt(from),
    });
}
