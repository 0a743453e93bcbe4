import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EntityManager } from 'typeorm';
import { DataSource } from 'typeorm';
import { scratchDatabase, storeOn, type ScratchDatabase } from '../../test/support/database.js';
import { dataSourceOptions } from '../database/database.options.js';
import type { Checkpoint, NewEvent } from '../event-store/event-store.types.js';
import { START } from '../event-store/event-store.types.js';
import type { PersistedEvent } from '../event-store/persisted-event.js';
import type { PostgresEventStore } from '../event-store/postgres-event-store.js';
import type { ProjectionHandler } from './projection.js';
import { ensureCheckpointRow, readCheckpointRow } from './projection-checkpoints.js';
import { ProjectionWorker, type WorkerOptions } from './projection-worker.js';

const NAME = 'worker-probe';

/** Counts how often each event is applied. */
const counting: ProjectionHandler = {
  eventTypes: ['Counted'],
  tables: ['worker_probe'],
  async apply(events: readonly PersistedEvent[], tx: EntityManager) {
    await tx.query(
      `INSERT INTO worker_probe (event_id) SELECT * FROM unnest($1::uuid[])
       ON CONFLICT (event_id) DO UPDATE SET times = worker_probe.times + 1`,
      [events.map((e) => e.eventId)],
    );
  },
};

describe('ProjectionWorker', () => {
  let scratch: ScratchDatabase;
  let dataSource: DataSource;
  let store: PostgresEventStore;

  beforeAll(async () => {
    scratch = await scratchDatabase(4);
    await scratch.pool.query(
      'CREATE TABLE worker_probe (event_id uuid PRIMARY KEY, times int NOT NULL DEFAULT 1)',
    );
    dataSource = new DataSource({ ...dataSourceOptions(scratch.url, 4), logging: false });
    await dataSource.initialize();
    store = storeOn(scratch.pool, 'Counted', 'Ignored');
  });
  afterAll(async () => {
    await dataSource.destroy();
    await scratch.drop();
  });

  const worker = (name = NAME, { from = START, options = {} as Partial<WorkerOptions> } = {}) =>
    new ProjectionWorker(name, counting, { checkpointName: name }, from, {
      dataSource,
      store,
      options: { batchSize: 100, retryAttempts: 3, retryBaseMs: 10, ...options },
      hooks: { onProgress: () => undefined, onError: () => undefined },
      reveal: async (events) => [...events],
    });

  /** A new checkpoint row at the end of the log: the worker reads only what the test appends next. */
  async function checkpointAtEnd(name: string): Promise<Checkpoint> {
    const [end] = await dataSource.query(
      `SELECT transaction_id::text AS transaction_id, global_position FROM events
       ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
    );
    const from = end
      ? { transactionId: end.transaction_id, position: Number(end.global_position) }
      : START;
    await dataSource.query(
      `INSERT INTO projection_checkpoints (name, transaction_id, global_position) VALUES ($1, $2::xid8, $3)`,
      [name, from.transactionId, from.position],
    );
    return from;
  }

  const stored = async (name: string) => (await readCheckpointRow(dataSource, name))!.checkpoint;

  /** How often each event was applied, in the order given (0: never). */
  async function timesApplied(events: readonly { eventId: string }[]): Promise<number[]> {
    const { rows } = await scratch.pool.query(
      `SELECT coalesce(p.times, 0) AS times FROM unnest($1::uuid[]) WITH ORDINALITY AS e(id, ord)
       LEFT JOIN worker_probe p ON p.event_id = e.id ORDER BY e.ord`,
      [events.map((e) => e.eventId)],
    );
    return rows.map((r) => r.times);
  }

  /** Until the log shows the event: an open transaction anywhere on the server holds the read horizon back. */
  async function readable({ checkpoint }: { checkpoint: Checkpoint }): Promise<void> {
    const before = { ...checkpoint, position: checkpoint.position - 1 };
    const deadline = Date.now() + 10_000;
    while ((await store.readAll({ after: before, limit: 1 })).length === 0) {
      if (Date.now() > deadline) throw new Error(`event ${checkpoint.position} still hidden`);
      await sleep(10);
    }
  }

  async function append(events: NewEvent[]): Promise<PersistedEvent[]> {
    const appended = await store.append(`probe-${randomUUID()}`, events);
    await readable(appended.events.at(-1)!);
    return appended.events;
  }

  const counted = (n: number): NewEvent => ({ type: 'Counted', data: { n } });

  it('applies nothing twice when woken while resume() reads a checkpoint another instance moved', async () => {
    await ensureCheckpointRow(dataSource, NAME);
    const events = await append([1, 2, 3, 4, 5].map(counted));
    const other = worker();
    await other.drain();
    await other.stop();

    // A standby instance's worker still at the checkpoint it booted with takes over: the runner resumes it
    // while a local commit wakes it, so its first read starts from the old checkpoint.
    const standby = worker();
    const resumed = standby.resume();
    standby.wake();
    await resumed;
    await standby.drain();
    await standby.stop();

    expect(await timesApplied(events)).toEqual([1, 1, 1, 1, 1]);
  });

  it('never moves the checkpoint back over a batch without its events (a worker booted behind)', async () => {
    const name = 'skip-probe';
    const from = await checkpointAtEnd(name);
    const ignored: NewEvent = { type: 'Ignored', data: {} };
    await append([ignored, ignored]);
    const events = await append([counted(1), counted(2)]);
    const options = { batchSize: 2 };
    const first = worker(name, { from, options });
    await first.drain();
    await first.stop();
    const drained = await stored(name);
    expect(drained).toEqual(events[1].checkpoint);

    // Booted before the first one drained: its first batch (the two ignored events) only moves the checkpoint.
    const behind = worker(name, { from, options });
    await behind.drain();
    await behind.stop();

    expect(await timesApplied(events)).toEqual([1, 1]);
    expect(await stored(name)).toEqual(drained);
  });
});
