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
import type { Processor } from './processor.js';
import { ensureCheckpointRow, readCheckpointRow } from './projection-checkpoints.js';
import { pagedTransactions, ProjectionWorker, type WorkerOptions } from './projection-worker.js';

const NAME = 'worker-probe';

/**
 * Counts how often each event is applied. `paged`: also as a writer over several reads (`open`);
 * `failsOnce`: its first write throws, after writing.
 */
function probe({ paged = false, failsOnce = false } = {}): Processor {
  let failures = failsOnce ? 1 : 0;
  const apply = async (events: readonly PersistedEvent[], tx: EntityManager) => {
    await tx.query(
      `INSERT INTO worker_probe (event_id) SELECT * FROM unnest($1::uuid[])
       ON CONFLICT (event_id) DO UPDATE SET times = worker_probe.times + 1`,
      [events.map((e) => e.eventId)],
    );
    if (failures === 0) return;
    failures -= 1;
    throw new Error('fails once, after its writes');
  };
  return {
    kind: 'projection',
    handler: {
      eventTypes: ['Counted'],
      tables: ['worker_probe'],
      apply,
      ...(paged && {
        open: (tx) => ({ write: (events) => apply(events, tx), finish: async () => {} }),
      }),
    },
  };
}

/** Terminates the backend that runs it, the first time only: counted by the sequence the trigger names. */
const TERMINATE_ONCE = `CREATE FUNCTION terminate_once() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF nextval(TG_ARGV[0]::regclass) = 1 THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF;
    RETURN NULL;
  END $$`;

describe('ProjectionWorker', () => {
  let scratch: ScratchDatabase;
  let dataSource: DataSource;
  let store: PostgresEventStore;

  beforeAll(async () => {
    scratch = await scratchDatabase(4);
    await scratch.pool.query(
      'CREATE TABLE worker_probe (event_id uuid PRIMARY KEY, times int NOT NULL DEFAULT 1)',
    );
    await scratch.pool.query(TERMINATE_ONCE);
    dataSource = new DataSource({ ...dataSourceOptions(scratch.url, 4), logging: false });
    await dataSource.initialize();
    store = storeOn(scratch.pool, 'Counted', 'Ignored');
  });
  afterAll(async () => {
    await dataSource.destroy();
    await scratch.drop();
  });

  const worker = (
    name = NAME,
    {
      processor = probe(),
      from = START,
      options = {} as Partial<WorkerOptions>,
      applied = [] as number[],
      log = store,
    } = {},
  ) =>
    new ProjectionWorker(name, processor, { checkpointName: name }, from, {
      dataSource,
      store: log,
      options: { batchSize: 100, retryAttempts: 3, retryBaseMs: 10, ...options },
      hooks: { onProgress: (_, n) => applied.push(n), onError: () => undefined },
      decryptAndUpcast: async (events) => [...events],
      paged: pagedTransactions(1),
    });

  /** A new checkpoint row at the end of the log: the worker reads only what the test appends next. */
  async function checkpointAtEnd(name: string): Promise<Checkpoint> {
    const [end] = await dataSource.query(
      `SELECT transaction_id::text AS transaction_id, global_position FROM events
       ORDER BY events.transaction_id DESC, events.global_position DESC LIMIT 1`,
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

  /** At the next commit that moves checkpoint `name` (deferred: after every write), its backend is terminated. */
  async function terminateNextCommitMoving(name: string): Promise<{ struck(): Promise<boolean> }> {
    const faults = `faults_${name.replaceAll('-', '_')}`;
    await scratch.pool.query(`CREATE SEQUENCE ${faults}`);
    await scratch.pool.query(
      `CREATE CONSTRAINT TRIGGER ${faults} AFTER UPDATE OF global_position ON projection_checkpoints
       DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.name = '${name}')
       EXECUTE FUNCTION terminate_once('${faults}')`,
    );
    return {
      struck: async () =>
        (await scratch.pool.query(`SELECT is_called FROM ${faults}`)).rows[0].is_called,
    };
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

  it('reads pages of the largest batch in a transaction over several reads (fewer statements per catch-up)', async () => {
    const name = 'page-size-probe';
    const from = await checkpointAtEnd(name);
    const events = await append(Array.from({ length: 12 }, (_, i) => counted(i)));
    const limits: number[] = [];
    const recording: typeof store = Object.create(store, {
      readAll: {
        value: (options: Parameters<typeof store.readAll>[0]) => (
          limits.push(options!.limit!),
          store.readAll(options)
        ),
      },
    });
    const paged = worker(name, {
      processor: probe({ paged: true }),
      from,
      options: { batchSize: 2, maxBatchSize: 5, maxTransactionMs: 60_000 },
      log: recording,
    });
    await paged.drain();
    await paged.stop();

    expect(await timesApplied(events)).toEqual(events.map(() => 1));
    // The first read finds the worker behind; the transaction it opens reads the other ten in pages of five.
    expect(limits.slice(0, 3)).toEqual([2, 5, 5]);
  });

  it('makes the wakes of a burst of commits one run per wake interval, and applies every event once', async () => {
    const name = 'burst-probe';
    const from = await checkpointAtEnd(name);
    let reads = 0;
    const counting: typeof store = Object.create(store, {
      readAll: {
        value: (options: Parameters<typeof store.readAll>[0]) => (reads++, store.readAll(options)),
      },
    });
    const burst = new ProjectionWorker(name, probe(), { checkpointName: name }, from, {
      dataSource,
      store: counting,
      options: { batchSize: 100, retryAttempts: 3, retryBaseMs: 10, wakeIntervalMs: 1_000 },
      hooks: { onProgress: () => undefined, onError: () => undefined },
      decryptAndUpcast: async (events) => [...events],
    });
    burst.wake();
    const events: PersistedEvent[] = [];
    for (let i = 0; i < 12; i++) {
      // As the runner does after each local commit: a wake with the commit's checkpoint as the target.
      const [event] = (await store.append(`probe-${randomUUID()}`, [counted(i)])).events;
      events.push(event);
      burst.wake(event.checkpoint);
    }
    await burst.drain();
    await burst.stop();

    expect(await timesApplied(events)).toEqual(events.map(() => 1));
    // One run at the first wake, one for the burst a second later (a look again if the horizon hid the last commit).
    expect(reads).toBeLessThanOrEqual(6);
  });

  describe.each([
    { path: 'a transaction per read', paged: false },
    { path: 'a transaction over several reads', paged: true },
  ])('moves the checkpoint in the transaction of the writes, in $path', ({ paged }) => {
    const options = { batchSize: 2, ...(paged && { maxTransactionMs: 60_000 }) };
    // The last expectation shows the path taken: only a transaction over several reads applies > 2.

    it('so a handler that fails after its writes skips nothing', async () => {
      const name = `fails-once-${paged ? 'paged' : 'per-read'}`;
      const from = await checkpointAtEnd(name);
      const events = await append([1, 2, 3, 4, 5, 6].map(counted));

      const applied: number[] = [];
      const failing = worker(name, {
        processor: probe({ paged, failsOnce: true }),
        from,
        options,
        applied,
      });
      await failing.drain();
      await failing.stop();

      expect(await timesApplied(events)).toEqual([1, 1, 1, 1, 1, 1]);
      expect(await stored(name)).toEqual(events[5].checkpoint);
      expect(Math.max(...applied) > options.batchSize).toBe(paged);
    });

    it('so a backend terminated as it commits applies nothing twice', async () => {
      const name = `terminated-once-${paged ? 'paged' : 'per-read'}`;
      const fault = await terminateNextCommitMoving(name);
      const from = await checkpointAtEnd(name);
      const events = await append([1, 2, 3, 4, 5, 6].map(counted));

      const applied: number[] = [];
      const terminated = worker(name, { processor: probe({ paged }), from, options, applied });
      await terminated.drain();
      await terminated.stop();

      expect(await fault.struck()).toBe(true);
      expect(await timesApplied(events)).toEqual([1, 1, 1, 1, 1, 1]);
      expect(await stored(name)).toEqual(events[5].checkpoint);
      expect(Math.max(...applied) > options.batchSize).toBe(paged);
    });
  });
});
