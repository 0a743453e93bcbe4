import type { EntityManager } from 'typeorm';
import { DataSource } from 'typeorm';
import { scratchDatabase, storeOn, type ScratchDatabase } from '../../test/support/database.js';
import { dataSourceOptions } from '../database/database.options.js';
import { START } from '../event-store/event-store.types.js';
import type { PersistedEvent } from '../event-store/persisted-event.js';
import type { PostgresEventStore } from '../event-store/postgres-event-store.js';
import type { ProjectionHandler } from './projection.js';
import { ensureCheckpointRow } from './projection-checkpoints.js';
import { ProjectionWorker } from './projection-worker.js';

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
    store = storeOn(scratch.pool, 'Counted');
  });
  afterAll(async () => {
    await dataSource.destroy();
    await scratch.drop();
  });

  const worker = () =>
    new ProjectionWorker(NAME, counting, { checkpointName: NAME }, START, {
      dataSource,
      store,
      options: { batchSize: 100, retryAttempts: 3, retryBaseMs: 10 },
      hooks: { onProgress: () => undefined, onError: () => undefined },
      reveal: async (events) => [...events],
    });

  it('applies nothing twice when woken while resume() reads a checkpoint another instance moved', async () => {
    await ensureCheckpointRow(dataSource, NAME);
    await store.append(
      'counted-1',
      [1, 2, 3, 4, 5].map((n) => ({ type: 'Counted', data: { n } })),
    );
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

    const { rows } = await scratch.pool.query('SELECT times FROM worker_probe');
    expect(rows.map((r) => r.times)).toEqual([1, 1, 1, 1, 1]);
  });
});
