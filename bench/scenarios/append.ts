import { timeOrderedUuid } from '../../src/event-store/index.js';
import pg from 'pg';
import {
  INSERT_MANY,
  INSERT_ONE,
  PLAIN_INSERT_MANY,
  PLAIN_INSERT_ONE,
  PLAIN_TABLE,
} from '../baseline/baseline-sql.js';
import { alternate, concurrently, type Side } from '../harness/alternate.js';
import { expectRows, truncate } from '../harness/database.js';
import { profiled } from '../harness/profile.js';
import {
  accountIds,
  accountStore,
  commandMetadata,
  deposited,
  streamOf,
} from '../harness/fixtures.js';
import { openPeer, PEER_MESSAGES, PEER_NAME, type PeerStore, resetPeer } from '../harness/peer.js';
import {
  atLeast,
  compared,
  type Scenario,
  type ScenarioContext,
  type ScenarioResult,
  withPeer,
} from './scenario.js';

/**
 * Appends to streams each owned by one writer, at the version the writer knows (what a command handler does after
 * loading): ours through PostgresEventStore.append with that expected version; the baselines with a plain INSERT
 * at version + 1 (the unique (stream_id, version) key is the concurrency check, and an owned stream never
 * conflicts), once on the table equivalent to `events` and once on the plain events table; the peer through
 * Emmett's appendToStream with that expected stream version.
 */
/** The group-commit measurement: concurrent callers at the store. */
const GROUP_COMMIT_CALLERS = 20;

export const appendScenario: Scenario = {
  id: 'append',
  async run(context) {
    const { sizes } = context;
    const ours = new pg.Pool({ connectionString: context.db.url, max: sizes.writers });
    const bare = new pg.Pool({ connectionString: context.db.url, max: sizes.writers });
    const peer = await openPeer(context.db.url);
    try {
      context.log(
        `  append 1 event per transaction, ${sizes.writers} writers, ${sizes.streams} streams`,
      );
      const single = rows(
        {
          id: 'append-single',
          title: `append 1 event per transaction, ${sizes.writers} concurrent writers, ${sizes.streams.toLocaleString('en-US')} streams`,
          notes: [
            `${sizes.singleAppends.toLocaleString('en-US')} appends per measurement; latency per append`,
          ],
        },
        await appendRuns(context, { ours, bare, peer }, sizes.streams, 1, sizes.singleAppends),
      );
      context.log(`  append ${sizes.batchSize} events per call, ${sizes.writers} writers`);
      const batchStreams = 1000;
      const batch = rows(
        {
          id: 'append-batch',
          title: `append ${sizes.batchSize} events per call, ${sizes.writers} writers`,
          notes: [
            `${sizes.batchCalls} calls of ${sizes.batchSize} events per measurement over ${batchStreams} streams; latency per call`,
          ],
        },
        await appendRuns(
          context,
          { ours, bare, peer },
          batchStreams,
          sizes.batchSize,
          sizes.batchCalls,
        ),
      );
      const callers = GROUP_COMMIT_CALLERS;
      context.log(`  append 1 event per call, ${callers} concurrent callers (group commit)`);
      const oursWide = new pg.Pool({ connectionString: context.db.url, max: callers });
      const bareWide = new pg.Pool({ connectionString: context.db.url, max: callers });
      try {
        const runs = await appendRuns(
          context,
          { ours: oursWide, bare: bareWide, peer },
          sizes.streams,
          1,
          sizes.singleAppends,
          callers,
        );
        const group = compared(
          {
            id: 'append-group-commit',
            title: `append 1 event per call, ${callers} concurrent callers: group commit against one INSERT per call`,
            unit: 'events/s',
            target: atLeast(1.5),
            notes: [
              `${sizes.singleAppends.toLocaleString('en-US')} appends per measurement over ${sizes.streams.toLocaleString('en-US')} streams; ours shares statements between concurrent appends, the baseline sends one INSERT per call on a pool of ${callers}`,
            ],
          },
          runs,
        );
        return [...single, ...batch, group];
      } finally {
        await Promise.all([oursWide.end(), bareWide.end()]);
      }
    } finally {
      await Promise.all([ours.end(), bare.end(), peer.close()]);
    }
  },
};

/** The row against the equivalent table (with the peer beside it), then the row against the plain table. */
function rows(
  base: { id: string; title: string; notes: string[] },
  runs: Awaited<ReturnType<typeof appendRuns>>,
): ScenarioResult[] {
  const equivalent = withPeer(
    compared({ ...base, unit: 'events/s', target: atLeast(0.8) }, runs),
    runs.ours,
    { name: PEER_NAME, runs: runs.others.peer },
  );
  const plain = compared(
    {
      id: `${base.id}-plain`,
      title: `${base.title}, against the raw plain table`,
      unit: 'events/s',
      target: { kind: 'report', text: 'reported' },
      notes: [
        ...base.notes,
        `baseline: the same INSERT on ${PLAIN_TABLE} (position, stream_id, version, type, data; unique (stream_id, version)); ours measured in the same rounds as the row above`,
      ],
    },
    { ours: runs.ours, baseline: runs.others.plain },
  );
  return [equivalent, plain];
}

async function appendRuns(
  context: ScenarioContext,
  pools: { ours: pg.Pool; bare: pg.Pool; peer: PeerStore },
  streamCount: number,
  eventsPerCall: number,
  calls: number,
  writers = context.sizes.writers,
) {
  if (streamCount % writers !== 0) throw new Error('each stream must belong to one writer');
  const ids = accountIds(streamCount, 'append');
  const store = accountStore(pools.ours);
  const barePool = pools.bare;
  let versions: number[] = [];
  const clean = async () => {
    await truncate(barePool, 'events', 'bench_baseline_events', PLAIN_TABLE);
    await resetPeer(pools.peer);
    versions = new Array<number>(streamCount).fill(0);
  };
  const eventsOf = (s: number, call: number) =>
    Array.from({ length: eventsPerCall }, (_, i) => deposited(ids[s], call + i));

  const ours: Side = {
    prepare: clean,
    async measure() {
      const run = await profiled(`append-${eventsPerCall}`, () =>
        concurrently(writers, calls, async (call) => {
          const s = call % streamCount;
          const result = await store.append(streamOf(ids[s]), eventsOf(s, call), {
            expectedVersion: versions[s],
          });
          versions[s] = result.version;
        }),
      );
      await expectRows(barePool, 'events', calls * eventsPerCall);
      return { ops: calls * eventsPerCall, ...run };
    },
  };

  /** One INSERT per call at the writer's version + 1 on `table`; `statement` is the call's SQL and parameters. */
  const insertSide = (
    table: string,
    statement: (
      streamId: string,
      firstVersion: number,
      events: ReturnType<typeof eventsOf>,
    ) => [sql: string, params: unknown[]],
  ): Side => ({
    prepare: clean,
    async measure() {
      const run = await concurrently(writers, calls, async (call) => {
        const s = call % streamCount;
        await barePool.query(...statement(streamOf(ids[s]), versions[s] + 1, eventsOf(s, call)));
        versions[s] += eventsPerCall;
      });
      await expectRows(barePool, table, calls * eventsPerCall);
      return { ops: calls * eventsPerCall, ...run };
    },
  });
  const versionsFrom = (first: number, events: unknown[]) => events.map((_, i) => first + i);

  const baseline = insertSide('bench_baseline_events', (streamId, first, events) =>
    eventsPerCall === 1
      ? [
          INSERT_ONE,
          [
            streamId,
            first,
            timeOrderedUuid(),
            events[0].type,
            JSON.stringify(events[0].data),
            JSON.stringify(events[0].metadata ?? commandMetadata()),
          ],
        ]
      : [
          INSERT_MANY,
          [
            streamId,
            versionsFrom(first, events),
            events.map(() => timeOrderedUuid()),
            events.map((e) => e.type),
            events.map((e) => JSON.stringify(e.data)),
            events.map((e) => JSON.stringify(e.metadata ?? {})),
          ],
        ],
  );

  const plain = insertSide(PLAIN_TABLE, (streamId, first, events) =>
    eventsPerCall === 1
      ? [PLAIN_INSERT_ONE, [streamId, first, events[0].type, JSON.stringify(events[0].data)]]
      : [
          PLAIN_INSERT_MANY,
          [
            streamId,
            versionsFrom(first, events),
            events.map((e) => e.type),
            events.map((e) => JSON.stringify(e.data)),
          ],
        ],
  );

  const peer: Side = {
    prepare: clean,
    async measure() {
      const run = await concurrently(writers, calls, async (call) => {
        const s = call % streamCount;
        const result = await pools.peer.appendToStream(
          streamOf(ids[s]),
          eventsOf(s, call).map(({ type, data, metadata }) => ({ type, data, metadata })),
          { expectedStreamVersion: BigInt(versions[s]) },
        );
        versions[s] = Number(result.nextExpectedStreamVersion);
      });
      await expectRows(barePool, PEER_MESSAGES, calls * eventsPerCall);
      return { ops: calls * eventsPerCall, ...run };
    },
  };

  return alternate({ ...context.sizes, log: context.log }, ours, baseline, {
    plain,
    peer,
  });
}
