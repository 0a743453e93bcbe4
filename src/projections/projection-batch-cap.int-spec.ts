import { DataSource } from 'typeorm';
import { scratchDatabase, storeOn, type ScratchDatabase } from '../../test/support/database.js';
import type { NewEvent } from '../event-store/event-store.types.js';
import type { PersistedEvent } from '../event-store/persisted-event.js';
import { START } from '../event-store/event-store.types.js';
import { ensureCheckpointRow, readCheckpointRow } from './projection-checkpoints.js';
import type { ProjectionHandler } from './projection.js';
import { ProjectionWorker } from './projection-worker.js';

/** A reactor that sends a command per event: `maxBatchEvents` keeps its transactions short. */
class Reactor implements ProjectionHandler {
  readonly eventTypes = ['Reacted'];
  readonly tables = [];
  readonly batches: Array<{ types: string[] }> = [];

  constructor(readonly maxBatchEvents?: number) {}

  async apply(events: readonly PersistedEvent[]): Promise<void> {
    this.batches.push({ types: events.map((e) => e.type) });
  }
}

describe('ProjectionWorker: maxBatchEvents', () => {
  let scratch: ScratchDatabase;
  let dataSource: DataSource;
  let last: PersistedEvent;

  beforeAll(async () => {
    scratch = await scratchDatabase();
    dataSource = await new DataSource({ type: 'postgres', url: scratch.url }).initialize();
    // 10 events the reactor reads among 20 it does not, in one log.
    const events: NewEvent[] = [];
    for (let i = 0; i < 30; i++)
      events.push({ type: i % 3 === 0 ? 'Reacted' : 'Other', data: { i } });
    const { events: stored } = await storeOn(scratch.pool, 'Reacted', 'Other').append(
      's-1',
      events,
    );
    last = stored[stored.length - 1];
  });
  afterAll(async () => {
    await dataSource.destroy();
    await scratch.drop();
  });

  async function run(name: string, handler: Reactor): Promise<void> {
    await ensureCheckpointRow(dataSource, name);
    const worker = new ProjectionWorker(name, handler, { checkpointName: name }, START, {
      dataSource,
      store: storeOn(scratch.pool, 'Reacted', 'Other'),
      options: { batchSize: 1000, maxBatchSize: 1000, retryAttempts: 3, retryBaseMs: 10 },
      hooks: { onProgress: () => {}, onError: () => {} },
      reveal: async (events) => [...events],
    });
    await worker.drain();
    await worker.stop();
    expect((await readCheckpointRow(dataSource, name))!.checkpoint).toEqual(last.checkpoint);
  }

  it('hands a reactor at most that many of its events per transaction, and reaches the end all the same', async () => {
    const capped = new Reactor(4);
    await run('capped', capped);
    expect(capped.batches.map((b) => b.types.length)).toEqual([4, 4, 2]);
    expect(capped.batches.flatMap((b) => b.types).every((t) => t === 'Reacted')).toBe(true);
  });

  it('without it, one batch takes what was read', async () => {
    const uncapped = new Reactor();
    await run('uncapped', uncapped);
    expect(uncapped.batches.map((b) => b.types.length)).toEqual([10]);
  });
});
