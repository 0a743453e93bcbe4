import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { snapshottedAccountDefinition } from '../../src/accounts/account.snapshot.js';
import { accountDefinition, deposit } from '../../src/accounts/domain/account.js';
import type { AccountEvent } from '../../src/accounts/domain/account.events.js';
import { ConcurrencyError, EventSourcedRepository } from '../../src/event-store/index.js';
import {
  INSERT_ONE,
  READ_STREAM,
  STREAM_HEAD,
  UNIQUE_VIOLATION,
} from '../baseline/baseline-sql.js';
import { alternate, concurrently, type Side } from '../harness/alternate.js';
import { expectRows, truncate } from '../harness/database.js';
import { accountIds, accountStore, deposited, opened, streamOf } from '../harness/fixtures.js';
import { atLeast, compared, type Scenario, type ScenarioContext } from './scenario.js';

type Pools = { ours: pg.Pool; bare: pg.Pool };

/**
 * One stream, `writers` concurrent writers, each append with an expected version and a retry on conflict.
 * Ours: read the version, PostgresEventStore.append(expectedVersion), on ConcurrencyError retry with its
 * actualVersion. Baseline: SELECT max(stream_version), INSERT at max + 1, on a unique violation start again.
 */
export const hotStreamScenario: Scenario = {
  id: 'hot-stream',
  async run(context) {
    const { writers } = context.sizes;
    const pools = {
      ours: new pg.Pool({ connectionString: context.db.url, max: writers }),
      bare: new pg.Pool({ connectionString: context.db.url, max: writers }),
    };
    try {
      context.log(`  one hot stream, ${writers} writers, expected version + retry`);
      const append = compared(
        {
          id: 'hot-stream',
          title: `one hot stream, ${writers} writers with expected version and retry on conflict`,
          unit: 'events/s',
          target: atLeast(0.8),
          notes: [
            `${context.sizes.hotAppends} successful appends per measurement; latency per append, retries included`,
          ],
        },
        await appendRuns(context, pools),
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
              'same command by hand (read the stream, fold, decide, INSERT at version + 1, retry on unique violation).',
          ],
        },
        await commandRuns(context, pools),
      );
      return [append, commands];
    } finally {
      await Promise.all([pools.ours.end(), pools.bare.end()]);
    }
  },
};

async function appendRuns(context: ScenarioContext, pools: Pools) {
  const { writers, hotAppends } = context.sizes;
  const [id] = accountIds(1, 'hot');
  const streamId = streamOf(id);
  const store = accountStore(pools.ours);
  let conflicts = 0;
  const clean = async () => {
    await truncate(pools.bare, 'events', 'bench_baseline_events');
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
        const eventId = randomUUID();
        for (;;) {
          const { rows } = await pools.bare.query<{ version: number }>(STREAM_HEAD, [streamId]);
          try {
            const data = JSON.stringify(event.data);
            await pools.bare.query(INSERT_ONE, [
              streamId,
              rows[0].version + 1,
              eventId,
              event.type,
              data,
              JSON.stringify(event.metadata),
            ]);
            return;
          } catch (error) {
            if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
            conflicts++;
          }
        }
      });
      await expectRows(pools.bare, 'bench_baseline_events', hotAppends);
      return { ops: hotAppends, ...run, counters: { conflicts } };
    },
  };
  return alternate({ ...context.sizes, log: context.log }, ours, baseline);
}

async function commandRuns(context: ScenarioContext, pools: Pools) {
  const { writers, hotCommands } = context.sizes;
  const [id] = accountIds(1, 'hot-commands');
  const streamId = streamOf(id);
  const store = accountStore(pools.ours);
  const repository = new EventSourcedRepository(
    store,
    { publishAll: () => undefined },
    snapshottedAccountDefinition,
  );
  let conflicts = 0;
  const clean = async () => {
    await truncate(pools.bare, 'events', 'bench_baseline_events');
    const open = opened(id);
    await store.append(streamId, [open], { expectedVersion: 'no-stream' });
    await pools.bare.query(INSERT_ONE, [
      streamId,
      1,
      randomUUID(),
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
        for (;;) {
          const { rows } = await pools.bare.query<{
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
          try {
            const version = rows[rows.length - 1].stream_version + 1;
            await pools.bare.query(INSERT_ONE, [
              streamId,
              version,
              randomUUID(),
              event.type,
              JSON.stringify(event.data),
              metadata,
            ]);
            return;
          } catch (error) {
            if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
            conflicts++;
          }
        }
      });
      await expectRows(pools.bare, 'bench_baseline_events', hotCommands + 1);
      return { ops: hotCommands, ...run, counters: { conflicts } };
    },
  };
  return alternate({ ...context.sizes, log: context.log }, ours, baseline);
}
