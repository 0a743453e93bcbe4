import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { INSERT_MANY, INSERT_ONE } from '../baseline/baseline-sql.js';
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
import { atLeast, compared, type Scenario, type ScenarioContext } from './scenario.js';

/**
 * Appends to streams each owned by one writer, at the version the writer knows (what a command handler does after
 * loading): ours through PostgresEventStore.append with that expected version, the baseline with a plain INSERT
 * at version + 1, where the unique (stream_id, stream_version) constraint is the concurrency check.
 */
export const appendScenario: Scenario = {
  id: 'append',
  async run(context) {
    const { sizes } = context;
    const ours = new pg.Pool({ connectionString: context.db.url, max: sizes.writers });
    const bare = new pg.Pool({ connectionString: context.db.url, max: sizes.writers });
    try {
      context.log(
        `  append 1 event per transaction, ${sizes.writers} writers, ${sizes.streams} streams`,
      );
      const single = compared(
        {
          id: 'append-single',
          title: `append 1 event per transaction, ${sizes.writers} concurrent writers, ${sizes.streams.toLocaleString('en-US')} streams`,
          unit: 'events/s',
          target: atLeast(0.8),
          notes: [
            `${sizes.singleAppends.toLocaleString('en-US')} appends per measurement; latency per append`,
          ],
        },
        await appendRuns(context, ours, bare, sizes.streams, 1, sizes.singleAppends),
      );
      context.log(`  append ${sizes.batchSize} events per call, ${sizes.writers} writers`);
      const batchStreams = 1000;
      const batch = compared(
        {
          id: 'append-batch',
          title: `append ${sizes.batchSize} events per call, ${sizes.writers} writers`,
          unit: 'events/s',
          target: atLeast(0.8),
          notes: [
            `${sizes.batchCalls} calls of ${sizes.batchSize} events per measurement over ${batchStreams} streams; latency per call`,
          ],
        },
        await appendRuns(context, ours, bare, batchStreams, sizes.batchSize, sizes.batchCalls),
      );
      return [single, batch];
    } finally {
      await Promise.all([ours.end(), bare.end()]);
    }
  },
};

async function appendRuns(
  context: ScenarioContext,
  oursPool: pg.Pool,
  barePool: pg.Pool,
  streamCount: number,
  eventsPerCall: number,
  calls: number,
) {
  const { writers } = context.sizes;
  if (streamCount % writers !== 0) throw new Error('each stream must belong to one writer');
  const ids = accountIds(streamCount, 'append');
  const store = accountStore(oursPool);
  let versions: number[] = [];
  const clean = async () => {
    await truncate(barePool, 'events', 'bench_baseline_events');
    versions = new Array<number>(streamCount).fill(0);
  };

  const ours: Side = {
    prepare: clean,
    async measure() {
      const run = await profiled(`append-${eventsPerCall}`, () =>
        concurrently(writers, calls, async (call) => {
          const s = call % streamCount;
          const events = Array.from({ length: eventsPerCall }, (_, i) =>
            deposited(ids[s], call + i),
          );
          const result = await store.append(streamOf(ids[s]), events, {
            expectedVersion: versions[s],
          });
          versions[s] = result.version;
        }),
      );
      await expectRows(barePool, 'events', calls * eventsPerCall);
      return { ops: calls * eventsPerCall, ...run };
    },
  };

  const baseline: Side = {
    prepare: clean,
    async measure() {
      const run = await concurrently(writers, calls, async (call) => {
        const s = call % streamCount;
        const streamId = streamOf(ids[s]);
        const events = Array.from({ length: eventsPerCall }, (_, i) => deposited(ids[s], call + i));
        if (eventsPerCall === 1) {
          const [event] = events;
          await barePool.query(INSERT_ONE, [
            streamId,
            versions[s] + 1,
            randomUUID(),
            event.type,
            JSON.stringify(event.data),
            JSON.stringify(event.metadata ?? commandMetadata()),
          ]);
        } else {
          await barePool.query(INSERT_MANY, [
            streamId,
            events.map((_, i) => versions[s] + 1 + i),
            events.map(() => randomUUID()),
            events.map((e) => e.type),
            events.map((e) => JSON.stringify(e.data)),
            events.map((e) => JSON.stringify(e.metadata ?? {})),
          ]);
        }
        versions[s] += eventsPerCall;
      });
      await expectRows(barePool, 'bench_baseline_events', calls * eventsPerCall);
      return { ops: calls * eventsPerCall, ...run };
    },
  };

  return alternate({ ...context.sizes, log: context.log }, ours, baseline);
}
