import { isExpectedVersionConflictError } from '@event-driven-io/emmett';
import pg from 'pg';
import { snapshottedAccountDefinition } from '../../src/accounts/account.snapshot.js';
import { accountDefinition, deposit } from '../../src/accounts/domain/account.js';
import type { AccountEvent } from '../../src/accounts/domain/account.events.js';
import {
  ConcurrencyError,
  EventSourcedRepository,
  timeOrderedUuid,
} from '../../src/event-store/index.js';
import { INSERT_EXPECTED, READ_STREAM, STREAM_HEAD } from '../baseline/baseline-sql.js';
import { alternate, concurrently, type Side } from '../harness/alternate.js';
import { expectRows, truncate } from '../harness/database.js';
import { accountIds, accountStore, deposited, opened, streamOf } from '../harness/fixtures.js';
import { openPeer, PEER_MESSAGES, PEER_NAME, type PeerStore, resetPeer } from '../harness/peer.js';
import { sessionCounter } from '../harness/sessions.js';
import {
  aheadOfPeer,
  atLeast,
  compared,
  type Scenario,
  type ScenarioContext,
  withPeer,
} from './scenario.js';

type Pools = { ours: pg.Pool; bare: pg.Pool };

/**
 * One stream, `writers` concurrent writers, each append with an expected version and a retry on conflict: read
 * the head, append at it, on a conflict retry from the head the conflict reports.
 * Ours: PostgresEventStore.streamVersion, then append(expectedVersion), on ConcurrencyError its actualVersion.
 * Baseline: on a checked-out client, SELECT the head, then INSERT_EXPECTED, which answers a lost race with the
 * current head instead of an error (no error, so no connection lost; one statement per lost race).
 * Peer: Emmett's readStream of the events after the head the writer knows (Emmett has no cheaper public read of a
 * stream's version), then appendToStream(expectedStreamVersion); its ExpectedVersionConflictError does not carry
 * the current version, so a lost race reads the new events again.
 * Sessions opened on the database during each measurement are counted: a connection lost per conflict shows there.
 */
export const hotStreamScenario: Scenario = {
  id: 'hot-stream',
  async run(context) {
    const { writers } = context.sizes;
    const pools = {
      ours: new pg.Pool({ connectionString: context.db.url, max: writers }),
      bare: new pg.Pool({ connectionString: context.db.url, max: writers }),
    };
    const peer = await openPeer(context.db.url);
    const sessions = await sessionCounter(context.db.url);
    try {
      context.log(`  one hot stream, ${writers} writers, expected version + retry`);
      const runs = await appendRuns(context, pools, peer, sessions.counted);
      const append = withPeer(
        compared(
          {
            id: 'hot-stream',
            title: `one hot stream, ${writers} writers with expected version and retry on conflict`,
            unit: 'events/s',
            target: atLeast(0.8),
            notes: [
              `${context.sizes.hotAppends} successful appends per measurement; latency per append, retries included`,
              'sessions = PostgreSQL sessions opened on the bench database during the measurement (pg_stat_database.sessions); ' +
                'a side that loses a connection per conflict opens about one per conflict',
            ],
          },
          runs,
        ),
        runs.ours,
        {
          name: PEER_NAME,
          runs: runs.others.peer,
          target: aheadOfPeer(1.5),
          notes: [
            `${PEER_NAME}: head from readStream of the events after the version the writer knows, appendToStream with expectedStreamVersion; ` +
              'its conflict error carries no current version, so a lost race reads the new events again',
          ],
        },
      );
      context.log(
        `  one hot stream, ${writers} concurrent commands through EventSourcedRepository.update`,
      );
      const commands = compared(
        {
          id: 'hot-stream-commands',
          title: `one hot stream, ${writers} concurrent deposit commands (EventSourcedRepository.update: load, fold, decide, append)`,
          unit: 'commands/s',
          target: { kind: 'report', text: 'informational' },
          notes: [
            `${context.sizes.hotCommands} commands per measurement on a stream that starts with 1 event. Baseline: the ` +
              'same command by hand on a checked-out client (read the stream, fold, decide, INSERT_EXPECTED at the version ' +
              'read; a lost race reads again).',
          ],
        },
        await commandRuns(context, pools),
      );
      return [append, commands];
    } finally {
      await Promise.all([pools.ours.end(), pools.bare.end(), peer.close(), sessions.close()]);
    }
  },
};

type AppendResult = { appended: number | null; head: number };

async function appendRuns(
  context: ScenarioContext,
  pools: Pools,
  peerStore: PeerStore,
  counted: (side: Side) => Side,
) {
  const { writers, hotAppends } = context.sizes;
  const [id] = accountIds(1, 'hot');
  const streamId = streamOf(id);
  const store = accountStore(pools.ours);
  let conflicts = 0;
  const clean = async () => {
    await truncate(pools.bare, 'events', 'bench_baseline_events');
    await resetPeer(peerStore);
    conflicts = 0;
  };
  const ours: Side = {
    prepare: clean,
    async measure() {
      const run = await concurrently(writers, hotAppends, async (n) => {
        const event = deposited(id, n);
        let version = await store.streamVersion(streamId);
        for (;;) {
          try {
            await store.append(streamId, [event], { expectedVersion: version });
            return;
          } catch (error) {
            if (!(error instanceof ConcurrencyError)) throw error;
            conflicts++;
            version = error.actualVersion;
          }
        }
      });
      await expectRows(pools.bare, 'events', hotAppends);
      return { ops: hotAppends, ...run, counters: { conflicts } };
    },
  };
  const baseline: Side = {
    prepare: clean,
    async measure() {
      const run = await concurrently(writers, hotAppends, async (n) => {
        const event = deposited(id, n);
        const params = [
          timeOrderedUuid(),
          event.type,
          JSON.stringify(event.data),
          JSON.stringify(event.metadata),
        ];
        const client = await pools.bare.connect();
        try {
          const { rows } = await client.query<{ version: number }>(STREAM_HEAD, [streamId]);
          let head = rows[0].version;
          for (;;) {
            const { rows: answer } = await client.query<AppendResult>(INSERT_EXPECTED, [
              streamId,
              head,
              ...params,
            ]);
            if (answer[0].appended !== null) return;
            conflicts++;
            head = answer[0].head;
          }
        } finally {
          client.release();
        }
      });
      await expectRows(pools.bare, 'bench_baseline_events', hotAppends);
      return { ops: hotAppends, ...run, counters: { conflicts } };
    },
  };
  // Each writer's last known head of the stream in Emmett: its readStream from there returns only the new events.
  let peerHeads: bigint[] = [];
  const peer: Side = {
    async prepare() {
      await clean();
      peerHeads = new Array<bigint>(writers).fill(0n);
    },
    async measure() {
      const run = await concurrently(writers, hotAppends, async (n, writer) => {
        const { type, data, metadata } = deposited(id, n);
        for (;;) {
          const read = await peerStore.readStream(streamId, { from: peerHeads[writer] + 1n });
          if (read.streamExists) peerHeads[writer] = read.currentStreamVersion;
          try {
            const result = await peerStore.appendToStream(streamId, [{ type, data, metadata }], {
              expectedStreamVersion: peerHeads[writer],
            });
            peerHeads[writer] = result.nextExpectedStreamVersion;
            return;
          } catch (error) {
            // emmett-postgresql bundles its own copy of Emmett's errors: matched by error code, not instanceof.
            if (!isExpectedVersionConflictError(error)) throw error;
            conflicts++;
          }
        }
      });
      await expectRows(pools.bare, PEER_MESSAGES, hotAppends);
      return { ops: hotAppends, ...run, counters: { conflicts } };
    },
  };
  return alternate({ ...context.sizes, log: context.log }, counted(ours), counted(baseline), {
    peer: counted(peer),
  });
}

async function commandRuns(context: ScenarioContext, pools: Pools) {
  const { writers, hotCommands } = context.sizes;
  const [id] = accountIds(1, 'hot-commands');
  const streamId = streamOf(id);
  const store = accountStore(pools.ours);
  const repository = new EventSourcedRepository({
    store,
    publisher: { publishAll: () => undefined },
    definition: snapshottedAccountDefinition,
  });
  let conflicts = 0;
  const clean = async () => {
    await truncate(pools.bare, 'events', 'bench_baseline_events');
    const open = opened(id);
    await store.append(streamId, [open], { expectedVersion: 'no-stream' });
    await pools.bare.query(INSERT_EXPECTED, [
      streamId,
      0,
      timeOrderedUuid(),
      open.type,
      JSON.stringify(open.data),
      JSON.stringify(open.metadata),
    ]);
    conflicts = 0;
  };
  const ours: Side = {
    prepare: clean,
    async measure() {
      const run = await concurrently(writers, hotCommands, async (n) => {
        await repository.update(id, (state) => deposit(state, { accountId: id, amount: 100 + n }), {
          metadata: deposited(id, n).metadata,
        });
      });
      await expectRows(pools.bare, 'events', hotCommands + 1);
      return { ops: hotCommands, ...run };
    },
  };
  const baseline: Side = {
    prepare: clean,
    async measure() {
      const run = await concurrently(writers, hotCommands, async (n) => {
        const metadata = JSON.stringify(deposited(id, n).metadata);
        const client = await pools.bare.connect();
        try {
          for (;;) {
            const { rows } = await client.query<{
              stream_version: number;
              type: string;
              data: unknown;
            }>(READ_STREAM, [streamId]);
            let state = accountDefinition.initialState();
            for (const row of rows)
              state = accountDefinition.evolve(state, {
                type: row.type,
                data: row.data,
              } as AccountEvent);
            const [event] = deposit(state, { accountId: id, amount: 100 + n });
            const { rows: answer } = await client.query<AppendResult>(INSERT_EXPECTED, [
              streamId,
              rows[rows.length - 1].stream_version,
              timeOrderedUuid(),
              event.type,
              JSON.stringify(event.data),
              metadata,
            ]);
            if (answer[0].appended !== null) return;
            conflicts++;
          }
        } finally {
          client.release();
        }
      });
      await expectRows(pools.bare, 'bench_baseline_events', hotCommands + 1);
      return { ops: hotCommands, ...run, counters: { conflicts } };
    },
  };
  return alternate({ ...context.sizes, log: context.log }, ours, baseline);
}
