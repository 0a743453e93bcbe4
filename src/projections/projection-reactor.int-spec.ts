import { DataSource, type EntityManager } from 'typeorm';
import { scratchDatabase, storeOn, type ScratchDatabase } from '../../test/support/database.js';
import { eventually } from '../../test/support/eventually.js';
import type { Checkpoint, NewEvent } from '../event-store/event-store.types.js';
import { START } from '../event-store/event-store.types.js';
import type { PersistedEvent } from '../event-store/persisted-event.js';
import type { PostgresEventStore } from '../event-store/postgres-event-store.js';
import { ensureCheckpointRow, readCheckpointRow } from './projection-checkpoints.js';
import type { Processor, Reactor } from './processor.js';
import { DependencyUnavailable } from './projection.errors.js';
import { ProjectionWorker, type WorkerTarget } from './projection-worker.js';

/** A reactor that sends a command per event: it reacts before the batch's transaction, in small batches. */
class Probe implements Reactor {
  readonly eventTypes = ['Reacted'];
  readonly batches: string[][] = [];
  readonly reactions: string[] = [];
  duringReaction?: (events: readonly PersistedEvent[]) => Promise<void>;

  constructor(readonly maxBatchEvents?: number) {}

  async react(events: readonly PersistedEvent[]): Promise<void> {
    this.batches.push(events.map((e) => e.type));
    this.reactions.push(...events.map((e) => e.eventId));
    await this.duringReaction?.(events);
  }
}

/** Fails the first transaction that moves `name`'s checkpoint, after the reaction that came before it. */
const FAIL_FIRST_MOVE = (name: string) => `
  CREATE SEQUENCE moves_${name};
  CREATE FUNCTION fail_first_move_${name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF nextval('moves_${name}') = 1 THEN RAISE EXCEPTION 'the transaction failed'; END IF;
      RETURN NEW;
    END $$;
  CREATE TRIGGER fail_first_move_${name} BEFORE UPDATE OF global_position ON projection_checkpoints
    FOR EACH ROW WHEN (NEW.name = '${name}') EXECUTE FUNCTION fail_first_move_${name}();`;

describe('ProjectionWorker: reactors and consumers', () => {
  let scratch: ScratchDatabase;
  let dataSource: DataSource;
  let store: PostgresEventStore;
  let stored: PersistedEvent[];

  beforeAll(async () => {
    scratch = await scratchDatabase();
    dataSource = await new DataSource({ type: 'postgres', url: scratch.url }).initialize();
    store = storeOn(scratch.pool, 'Reacted', 'Other');
    // 10 events the reactor reads among 20 it does not.
    const events: NewEvent[] = [];
    for (let i = 0; i < 30; i++)
      events.push({ type: i % 3 === 0 ? 'Reacted' : 'Other', data: { i } });
    stored = (await store.append('s-1', events)).events;
  });
  afterAll(async () => {
    await dataSource.destroy();
    await scratch.drop();
  });

  async function run(
    handler: Probe | Processor,
    target: WorkerTarget,
    until: Checkpoint,
    retryAttempts = 5,
  ): Promise<void> {
    await ensureCheckpointRow(dataSource, target.checkpointName);
    const processor: Processor = handler instanceof Probe ? { kind: 'reactor', handler } : handler;
    const worker = new ProjectionWorker(target.checkpointName, processor, target, START, {
      dataSource,
      store,
      options: { batchSize: 1000, maxBatchSize: 1000, retryAttempts, retryBaseMs: 10 },
      hooks: { onProgress: () => {}, onError: () => {} },
      decryptAndUpcast: async (events) => [...events],
    });
    await eventually(async () => {
      await worker.drain();
      expect((await readCheckpointRow(dataSource, target.checkpointName))!.checkpoint).toEqual(
        until,
      );
    });
    await worker.stop();
  }
  const reacted = () => stored.filter((e) => e.type === 'Reacted').map((e) => e.eventId);

  it('hands a reactor at most maxBatchEvents of its events per batch, and reaches the end all the same', async () => {
    const capped = new Probe(4);
    await run(capped, { checkpointName: 'capped' }, stored[stored.length - 1].checkpoint);
    expect(capped.batches.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(capped.reactions).toEqual(reacted());

    const uncapped = new Probe();
    await run(uncapped, { checkpointName: 'uncapped' }, stored[stored.length - 1].checkpoint);
    expect(uncapped.batches.map((b) => b.length)).toEqual([10]);
  });

  it('reacts before the transaction: what a reaction commits is in the log at once, not held back', async () => {
    const reactor = new Probe();
    let command: PersistedEvent | undefined;
    reactor.duringReaction = async (events) => {
      if (command) return;
      [command] = (
        await store.append(`c-${events[0].eventId}`, [{ type: 'Other', data: {} }])
      ).events;
      // With a transaction of the batch open (its checkpoint row locked), this event could not be read.
      await eventually(async () => {
        const log = await store.readAll({ after: stored[stored.length - 1].checkpoint });
        expect(log.map((e) => e.eventId)).toContain(command!.eventId);
      }, 2000);
    };
    await run(reactor, { checkpointName: 'horizon' }, stored[stored.length - 1].checkpoint);
    expect(command).toBeDefined();
  });

  it('reacts again to a batch whose transaction failed (at least once), and not at all in a rebuild', async () => {
    const last = (await store.readAll({ after: START, limit: 100_000 })).at(-1)!.checkpoint;
    const retried = new Probe();
    await scratch.pool.query(FAIL_FIRST_MOVE('retried'));
    await run(retried, { checkpointName: 'retried' }, last);
    const first = reacted()[0];
    expect(retried.reactions.filter((id) => id === first)).toHaveLength(2);
    expect(retried.batches.flat()).toHaveLength(20);

    const rebuilt = new Probe();
    await run(rebuilt, { checkpointName: 'rebuilt:rebuild', schema: 'rebuilt_shadow' }, last);
    expect(rebuilt.reactions).toEqual([]);
  });

  it('retries a reaction whose dependency is unavailable past its retry attempts, never dead-letters it, and moves nothing meanwhile', async () => {
    const last = (await store.readAll({ after: START, limit: 100_000 })).at(-1)!.checkpoint;
    const reactor = new Probe();
    let failures = 0;
    const checkpoints: Checkpoint[] = [];
    reactor.duringReaction = async () => {
      checkpoints.push((await readCheckpointRow(dataSource, 'broker-down'))!.checkpoint);
      if (++failures <= 3) throw new DependencyUnavailable('the broker does not answer');
    };
    // Two attempts dead-letter a failing event: three failures of the broker do not.
    await run(reactor, { checkpointName: 'broker-down' }, last, 2);
    expect(failures).toBe(4);
    expect(checkpoints).toEqual([START, START, START, START]);
    const row = await readCheckpointRow(dataSource, 'broker-down');
    expect(row).toMatchObject({ status: 'live', lastError: null });
    const { rows } = await scratch.pool.query(
      "SELECT count(*)::int AS n FROM projection_dead_letters WHERE projection = 'broker-down'",
    );
    expect(rows[0].n).toBe(0);
  });

  it('consumes in the transaction that moves its checkpoint (a failed one leaves nothing), in a rebuild too', async () => {
    const last = (await store.readAll({ after: START, limit: 100_000 })).at(-1)!.checkpoint;
    await scratch.pool.query(
      'CREATE TABLE consumed (event_id uuid NOT NULL, checkpoint_name text NOT NULL)',
    );
    await scratch.pool.query(FAIL_FIRST_MOVE('consumer'));
    const consume =
      (name: string) => async (events: readonly PersistedEvent[], tx: EntityManager) => {
        await tx.query('INSERT INTO consumed SELECT unnest($1::uuid[]), $2', [
          events.map((e) => e.eventId),
          name,
        ]);
      };
    const consumer = (name: string): Processor => ({
      kind: 'consumer',
      handler: { eventTypes: ['Reacted'], consume: consume(name) },
    });
    await run(consumer('consumer'), { checkpointName: 'consumer' }, last);
    await run(
      consumer('consumer:rebuild'),
      { checkpointName: 'consumer:rebuild', schema: 'consumer_shadow' },
      last,
    );

    const moves = await scratch.pool.query('SELECT last_value::int AS n FROM moves_consumer');
    expect(moves.rows[0].n).toBeGreaterThan(1); // the first transaction failed, the next committed
    const { rows } = await scratch.pool.query(
      'SELECT checkpoint_name, count(*)::int AS n FROM consumed GROUP BY 1 ORDER BY 1',
    );
    expect(rows).toEqual([
      { checkpoint_name: 'consumer', n: 10 },
      { checkpoint_name: 'consumer:rebuild', n: 10 },
    ]);
  });
});
