import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { migratedStore, scratchDatabase, storeOn } from '../../test/support/database.js';
import type { AggregateDefinition, SnapshotDefinition } from './aggregate.js';
import {
  type CacheOptions,
  EventSourcedRepository,
  type SnapshotOptions,
} from './event-sourced-repository.js';
import type { DomainEvent } from './event-store.types.js';
import type { PostgresEventStore } from './postgres-event-store.js';
import { PostgresSnapshotStore, type SnapshotAndTail } from './postgres-snapshot-store.js';

type Incremented = DomainEvent<'Incremented', { by: number }>;
type Counter = { count: number };

const snapshot: SnapshotDefinition<Counter> = {
  stateVersion: 2,
  toSnapshot: (state) => ({ count: state.count }),
  fromSnapshot: ({ count }) => {
    if (!Number.isSafeInteger(count)) throw new Error('not a counter snapshot');
    return { count: count as number };
  },
};
const counter = (every?: number): AggregateDefinition<Counter, Incremented> => ({
  streamType: 'snapcounter',
  initialState: () => ({ count: 0 }),
  evolve: (state, event) => ({ count: state.count + event.data.by }),
  snapshot: { ...snapshot, every },
});
const increment = () => (): Incremented[] => [{ type: 'Incremented', data: { by: 1 } }];

/** Records what each load read: the snapshot it started from and how many events it folded after it. */
class CountingSnapshotStore extends PostgresSnapshotStore {
  reads: Array<{ from: number | undefined; events: number }> = [];

  override async readWithTail(streamId: string, stateVersion: number): Promise<SnapshotAndTail> {
    const read = await super.readWithTail(streamId, stateVersion);
    this.reads.push({ from: read.snapshot?.version, events: read.events.length });
    return read;
  }
}

describe('snapshots', () => {
  let pool: pg.Pool;
  let store: PostgresEventStore;

  beforeAll(async () => ({ pool, store } = await migratedStore('Incremented')));
  afterAll(() => pool.end());

  function setUp(
    options: {
      every?: number;
      definitionEvery?: number;
      on?: pg.Pool;
      eventStore?: PostgresEventStore;
      cache?: CacheOptions;
    } = {},
  ) {
    const snapshots = new CountingSnapshotStore(options.on ?? pool);
    const warnings: string[] = [];
    const config: SnapshotOptions = {
      store: snapshots,
      every: options.every ?? 100,
      logger: { warn: (message: string) => warnings.push(message) },
    };
    const repository = new EventSourcedRepository({
      store: options.eventStore ?? store,
      publisher: { publishAll: () => undefined },
      definition: counter(options.definitionEvery),
      snapshots: config,
      cache: options.cache,
    });
    return { repository, snapshots, warnings };
  }

  /** `count` events of +1 written straight into the stream, as a long history would be. */
  const history = (id: string, count: number, on: pg.Pool = pool) =>
    on.query(
      `INSERT INTO events (stream_id, stream_version, event_id, type, schema_version, data)
       SELECT $1, (SELECT coalesce(max(stream_version), 0) FROM events WHERE stream_id = $1) + v,
         gen_random_uuid(), 'Incremented', 1, '{"by": 1}'
       FROM generate_series(1, $2::int) AS v`,
      [`snapcounter-${id}`, count],
    );
  /** A snapshot row the repository did not take, written behind its back. */
  const plantSnapshot = (
    id: string,
    {
      streamVersion,
      stateVersion,
      state,
    }: { streamVersion: number; stateVersion: number; state: unknown },
  ) =>
    pool.query(
      'INSERT INTO snapshots (stream_id, stream_version, state_version, state) VALUES ($1, $2, $3, $4)',
      [`snapcounter-${id}`, streamVersion, stateVersion, JSON.stringify(state)],
    );
  const snapshotRow = async (id: string) =>
    (
      await pool.query(
        `SELECT stream_version, state_version, state FROM snapshots WHERE stream_id = $1
         ORDER BY stream_version DESC LIMIT 1`,
        [`snapcounter-${id}`],
      )
    ).rows[0] as { stream_version: number; state_version: number; state: unknown } | undefined;

  it('snapshots every N events when the aggregate stays in the cache between commands', async () => {
    const { repository, snapshots } = setUp({ every: 3, cache: { size: 10, ttlMs: 60_000 } });
    const id = randomUUID();

    for (let i = 0; i < 10; i++) await repository.update(id, increment());

    expect(snapshots.reads).toHaveLength(1); // one load, then decided from the cache
    expect(await snapshotRow(id)).toMatchObject({ stream_version: 9, state: { count: 9 } });
  });

  it('loads a stream of 1,050 events from its snapshot, folding only the 49 events after it', async () => {
    const { repository, snapshots } = setUp();
    const id = randomUUID();
    await history(id, 1000);
    await repository.update(id, increment());
    expect(await snapshotRow(id)).toEqual({
      stream_version: 1001,
      state_version: 2,
      state: { count: 1001 },
    });
    await history(id, 49);
    snapshots.reads = [];

    const aggregate = await repository.load(id);

    expect(aggregate.state).toEqual({ count: 1050 });
    expect(aggregate.version).toBe(1050);
    expect(aggregate.snapshotVersion).toBe(1001);
    expect(snapshots.reads).toEqual([{ from: 1001, events: 49 }]);
  });

  it('takes one every N events and starts each load from the latest', async () => {
    const { repository, snapshots } = setUp({ every: 10 });
    const id = randomUUID();

    for (let i = 0; i < 25; i++) await repository.update(id, increment());

    expect(await snapshotRow(id)).toMatchObject({ stream_version: 20, state: { count: 20 } });
    expect(snapshots.reads.map((r) => r.from)).toEqual([
      ...Array(10).fill(undefined),
      ...Array(10).fill(10),
      ...Array(5).fill(20),
    ]);
    expect(snapshots.reads.every((r) => r.events < 10)).toBe(true);
    expect((await repository.load(id)).state).toEqual({ count: 25 });
  });

  it('keeps the older snapshots, each with the time by which all its events were recorded', async () => {
    const { repository, snapshots } = setUp({ every: 10 });
    const id = randomUUID();

    for (let i = 0; i < 25; i++) await repository.update(id, increment());

    const { rows } = await pool.query(
      `SELECT s.stream_version, s.state, s.recorded_by = max(e.recorded_at) AS recorded_by_matches
       FROM snapshots s JOIN events e ON e.stream_id = s.stream_id AND e.stream_version <= s.stream_version
       WHERE s.stream_id = $1 GROUP BY s.stream_id, s.stream_version ORDER BY s.stream_version`,
      [`snapcounter-${id}`],
    );
    expect(rows).toEqual([
      { stream_version: 10, state: { count: 10 }, recorded_by_matches: true },
      { stream_version: 20, state: { count: 20 }, recorded_by_matches: true },
    ]);
    expect(await snapshots.readAt(`snapcounter-${id}`, 2, { toVersion: 19 })).toEqual({
      version: 10,
      state: { count: 10 },
      recordedBy: expect.any(Date),
    });
    expect(await snapshots.readAt(`snapcounter-${id}`, 2, { toVersion: 9 })).toBeUndefined();
    expect((await repository.load(id)).snapshotVersion).toBe(20);
  });

  it("uses the definition's own interval over the configured one, and none at 0", async () => {
    const own = setUp({ every: 100, definitionEvery: 3 });
    const off = setUp({ every: 0 });
    const [a, b] = [randomUUID(), randomUUID()];

    for (let i = 0; i < 4; i++) {
      await own.repository.update(a, increment());
      await off.repository.update(b, increment());
    }
    await history(b, 200);
    await off.repository.update(b, increment());

    expect(await snapshotRow(a)).toMatchObject({ stream_version: 3 });
    expect(await snapshotRow(b)).toBeUndefined();
    expect(off.snapshots.reads).toEqual([]);
  });

  it('ignores a snapshot of another state version and replaces it after the next command', async () => {
    const { repository, snapshots } = setUp();
    const id = randomUUID();
    await history(id, 150);
    await plantSnapshot(id, { streamVersion: 150, stateVersion: 1, state: { total: 999999 } });

    const loaded = await repository.load(id);
    expect(loaded.state).toEqual({ count: 150 });
    expect(snapshots.reads).toEqual([{ from: undefined, events: 150 }]);

    await repository.update(id, increment());
    expect(await snapshotRow(id)).toEqual({
      stream_version: 151,
      state_version: 2,
      state: { count: 151 },
    });
    const { rows } = await pool.query(
      'SELECT count(*)::int AS n FROM snapshots WHERE stream_id = $1',
      [`snapcounter-${id}`],
    );
    expect(rows[0].n).toBe(1); // the first snapshot at the new state version deleted the outdated one
  });

  it('folds from the first event over a snapshot its definition cannot read, and replaces it', async () => {
    const { repository, warnings } = setUp();
    const id = randomUUID();
    await history(id, 120);
    await plantSnapshot(id, { streamVersion: 120, stateVersion: 2, state: { count: 'lots' } });

    expect((await repository.load(id)).state).toEqual({ count: 120 });
    expect(warnings).toEqual([
      `Ignoring the unreadable snapshot of snapcounter-${id}: not a counter snapshot`,
    ]);
    await repository.update(id, increment());
    expect(await snapshotRow(id)).toMatchObject({ stream_version: 121, state: { count: 121 } });
  });

  it('never writes a snapshot for a command that was a duplicate', async () => {
    const { repository } = setUp({ every: 1 });
    const id = randomUUID();
    const commandId = randomUUID();
    await repository.update(id, increment(), { metadata: { commandId } });
    await pool.query('DELETE FROM snapshots WHERE stream_id = $1', [`snapcounter-${id}`]);

    const again = await repository.update(id, increment(), { metadata: { commandId } });

    expect(again.duplicate).toBe(true);
    expect(await snapshotRow(id)).toBeUndefined();
  });

  it('answers the command even when the snapshot cannot be written, and logs why', async () => {
    const scratch = await scratchDatabase();
    try {
      await scratch.pool.query(`
        CREATE FUNCTION refuse_snapshots() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'snapshots are read-only today'; END $$;
        CREATE TRIGGER refuse_snapshots BEFORE INSERT OR UPDATE ON snapshots
        FOR EACH ROW EXECUTE FUNCTION refuse_snapshots()`);
      const { repository, warnings } = setUp({
        every: 10,
        on: scratch.pool,
        eventStore: storeOn(scratch.pool, 'Incremented'),
      });
      const id = randomUUID();
      await history(id, 9, scratch.pool);

      const result = await repository.update(id, increment());

      expect(result).toMatchObject({ version: 10, duplicate: false });
      expect(warnings).toEqual([
        `Snapshot of snapcounter-${id} at version 10 not written: snapshots are read-only today`,
      ]);
      const { rows } = await scratch.pool.query('SELECT count(*)::int AS n FROM snapshots');
      expect(rows[0].n).toBe(0);
      expect((await repository.load(id)).state).toEqual({ count: 10 });
    } finally {
      await scratch.drop();
    }
  });
});
