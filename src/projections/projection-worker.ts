import type { DataSource, EntityManager } from 'typeorm';
import type { Checkpoint } from '../event-store/event-store.types.js';
import type { PersistedEvent } from '../event-store/persisted-event.js';
import type { PostgresEventStore } from '../event-store/postgres-event-store.js';
import { compareCheckpoints, reached } from './checkpoint.js';
import type { ProjectionHandler } from './projection.js';
import { CHECKPOINTS, readCheckpointRow } from './projection-checkpoints.js';

export interface WorkerOptions {
  /** Events read per batch when live. */
  batchSize: number;
  /**
   * While batches come back full (catching up), the read size doubles up to this: fewer, larger read-model
   * transactions, so a row touched by many events is written once per batch. Default: `batchSize`.
   */
  maxBatchSize?: number;
  /**
   * While catching up, a handler with `open` keeps one transaction over several reads of `batchSize` events for up
   * to this long: a row touched by many events is written once per transaction. 0: one transaction per read.
   */
  maxTransactionMs?: number;
  /** Attempts at one event before it is dead-lettered and the projection stops at it. */
  retryAttempts: number;
  retryBaseMs: number;
}

/**
 * Admits transactions over several pages, which read their next page (and reveal it) on other pooled
 * connections while holding one: fewer of them at once than the pool has connections, so they never all wait.
 */
export interface PagedTransactions {
  tryAcquire(): boolean;
  release(): void;
}

/** Admits up to `max` at once. */
export function pagedTransactions(max: number): PagedTransactions {
  let active = 0;
  return {
    tryAcquire: () => {
      if (active >= max) return false;
      active += 1;
      return true;
    },
    release: () => {
      active -= 1;
    },
  };
}

interface Page {
  events: PersistedEvent[];
  /** How many were asked for: a full page means the log goes on. */
  size: number;
  after: Checkpoint;
}

export interface WorkerHooks {
  onProgress(worker: ProjectionWorker, applied: number): void;
  onError(worker: ProjectionWorker, message: string, error: unknown): void;
}

/** Where a worker writes: the live read model, or a rebuild's copies of its tables. */
export interface WorkerTarget {
  /** The row in projection_checkpoints. */
  checkpointName: string;
  /** A schema searched before `public`: a rebuild's shadow tables. */
  schema?: string;
}

const MAX_BACKOFF_MS = 30_000;

class CheckpointMoved extends Error {}

/** The handler (or revealing the events for it) threw: the events may be at fault, unlike a lost connection. */
class HandlerFailure extends Error {
  constructor(
    error: unknown,
    readonly relevant: readonly PersistedEvent[],
  ) {
    super(error instanceof Error ? error.message : String(error), { cause: error });
  }
}

export type WorkerState = 'idle' | 'catching-up' | 'live' | 'failed' | 'stopped';

/**
 * Applies one projection's events after its checkpoint, a batch per transaction that also moves the checkpoint
 * (compare-and-set: a batch written by anyone else since is never applied twice). A batch whose handler fails
 * is retried event by event to find the culprit; after `retryAttempts` that event is dead-lettered and the
 * worker stops at it, with the status `failed`, until an operator retries or skips it.
 */
export class ProjectionWorker {
  checkpoint: Checkpoint;
  state: WorkerState = 'idle';
  processed = 0;
  lastError: string | null = null;
  /** The newest checkpoint someone waits for: looked for again while the commit horizon holds it back. */
  private target?: Checkpoint;
  private running?: Promise<void>;
  private rerun = false;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private waiting = false;
  private infraFailures = 0;
  /** While set, events up to this checkpoint are applied one relevant event per transaction. */
  private isolateUntil?: Checkpoint;
  private poison?: { eventId: string; attempts: number };
  private readonly types: ReadonlySet<string>;

  constructor(
    readonly name: string,
    readonly handler: ProjectionHandler,
    readonly into: WorkerTarget,
    start: Checkpoint,
    private readonly deps: {
      dataSource: DataSource;
      store: PostgresEventStore;
      options: WorkerOptions;
      hooks: WorkerHooks;
      /** Stored events as the handler reads them: personal data decrypted, lifted to the current schema. */
      reveal: (events: readonly PersistedEvent[]) => Promise<PersistedEvent[]>;
      paged?: PagedTransactions;
    },
  ) {
    this.checkpoint = start;
    this.types = new Set(handler.eventTypes);
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Stopped, or stopping after its batch in flight: only resume() starts it again, wake() does not. */
  get stopping(): boolean {
    return this.stopped;
  }

  /** Runs now, or once more after the batch in flight; `target` is a checkpoint that must be reached. */
  wake(target?: Checkpoint): void {
    if (this.stopped || this.state === 'failed') return;
    if (target && (!this.target || compareCheckpoints(target, this.target) > 0))
      this.target = target;
    if (this.running) {
      this.rerun = true;
      return;
    }
    if (this.waiting) return;
    this.running = this.run().finally(() => (this.running = undefined));
  }

  /** Resumes a failed or stopped worker from the checkpoint stored now (an operator may have moved it). */
  async resume(): Promise<void> {
    await this.running;
    const row = await readCheckpointRow(this.deps.dataSource, this.into.checkpointName);
    if (row) this.checkpoint = row.checkpoint;
    this.stopped = false;
    this.state = 'catching-up';
    this.poison = undefined;
    this.isolateUntil = undefined;
    this.lastError = null;
    this.wake();
  }

  /** Stops after the batch in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.waiting = false;
    await this.running;
    if (this.state !== 'failed') this.state = 'stopped';
  }

  /** Marks the worker failed without running (its stored status says an operator must act). */
  halt(lastError: string | null): void {
    this.state = 'failed';
    this.lastError = lastError;
  }

  /** Resolves when the worker has nothing more to read: the head of the log as far as the horizon shows it. */
  async drain(): Promise<void> {
    for (;;) {
      this.wake();
      await this.running;
      if (this.state === 'failed')
        throw new Error(`Projection ${this.name} failed: ${this.lastError}`);
      if (this.stopped) return;
      if (!this.rerun && !this.waiting) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  private async run(): Promise<void> {
    try {
      do {
        this.rerun = false;
        await this.catchUp();
      } while (this.rerun && !this.stopped);
      if (this.stopped) return;
      this.infraFailures = 0;
      if (this.state !== 'live') await this.setStatus('live');
      if (this.target && !reached(this.checkpoint, this.target)) {
        // An older transaction is still open and holds the commit horizon back: look again shortly.
        this.later(10);
      } else {
        this.target = undefined;
      }
    } catch (error) {
      if (this.stopped) return;
      await this.failed(error).catch((e) => this.recordError(e));
    }
  }

  private async failed(error: unknown): Promise<void> {
    if (!(error instanceof HandlerFailure)) {
      this.infraFailures += 1;
      this.recordError(error);
      this.later(Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(this.infraFailures, 12)));
      return;
    }
    if (error.relevant.length > 1 || !this.isolateUntil) {
      this.isolateUntil = error.relevant.at(-1)!.checkpoint;
      this.later(0);
      return;
    }
    const [event] = error.relevant;
    const attempts = this.poison?.eventId === event.eventId ? this.poison.attempts + 1 : 1;
    this.poison = { eventId: event.eventId, attempts };
    this.recordError(error);
    if (attempts < this.deps.options.retryAttempts) {
      this.later(this.deps.options.retryBaseMs * 2 ** (attempts - 1));
      return;
    }
    await this.deadLetter(event, error.message, attempts);
  }

  private later(delayMs: number): void {
    this.waiting = true;
    // Unref'd: a retry alone never keeps a process alive (the HTTP server or the CLI's work does).
    this.timer = setTimeout(() => {
      this.waiting = false;
      this.wake();
    }, delayMs).unref();
  }

  private recordError(error: unknown): void {
    this.lastError = error instanceof Error ? error.message : String(error);
    this.deps.hooks.onError(this, this.lastError, error);
  }

  private async catchUp(): Promise<void> {
    const { batchSize, maxBatchSize = batchSize } = this.deps.options;
    let limit = batchSize;
    const read = (after: Checkpoint, size: number): Promise<Page> =>
      this.deps.store
        .readAll({ after, limit: size, metadata: !this.handler.withoutMetadata })
        .then((events) => ({ events, size, after }));
    /** The read already in flight; none: read after the checkpoint now. */
    let next: Promise<Page> | undefined;
    while (!this.stopped) {
      const page = await (next ?? read(this.checkpoint, limit));
      let events = page.events;
      if (events.length === 0) return;
      const full = events.length === page.size;
      limit = full ? Math.min(maxBatchSize, page.size * 2) : batchSize;
      const isolating = this.isolateUntil !== undefined;
      if (isolating) {
        events = this.isolated(events);
        limit = batchSize;
      }
      const capped = isolating ? events : this.capped(events);
      const cut = capped.length < events.length;
      if (cut) {
        events = capped;
        limit = batchSize;
      }
      if (full && !isolating && !cut && this.admitPaged()) {
        let paged: Awaited<ReturnType<ProjectionWorker['applyPages']>>;
        try {
          paged = await this.applyPages({ ...page, events }, read);
        } catch (error) {
          if (!(error instanceof CheckpointMoved)) throw error;
          next = undefined;
          limit = batchSize;
          continue;
        } finally {
          this.deps.paged!.release();
        }
        this.progressed(events, paged.last, paged.applied);
        next = paged.next ?? Promise.resolve({ events: [], size: limit, after: paged.last });
        continue;
      }
      const last = events[events.length - 1].checkpoint;
      // Read the next batch while this one is written: the database and this process work in parallel.
      // While isolating a failure, or after a capped batch, read again after it instead.
      next =
        isolating || cut
          ? undefined
          : full
            ? read(last, limit)
            : Promise.resolve({ events: [], size: limit, after: last });
      next?.catch(() => undefined);
      try {
        await this.applyBatch(events, page.after, last);
      } catch (error) {
        if (!(error instanceof CheckpointMoved)) throw error;
        next = undefined;
        limit = batchSize;
        continue;
      }
      this.progressed(events, last, events.length);
    }
  }

  private progressed(events: PersistedEvent[], last: Checkpoint, applied: number): void {
    this.checkpoint = last;
    if (this.isolateUntil && reached(last, this.isolateUntil)) this.isolateUntil = undefined;
    if (this.poison && events.some((e) => e.eventId === this.poison!.eventId)) {
      this.poison = undefined;
    }
    this.deps.hooks.onProgress(this, applied);
  }

  /** Whether this batch may open a transaction over several pages; when it may, it holds an admission to release. */
  private admitPaged(): boolean {
    const { maxTransactionMs = 0 } = this.deps.options;
    return (
      maxTransactionMs > 0 &&
      this.handler.open !== undefined &&
      this.handler.react === undefined &&
      this.handler.maxBatchEvents === undefined &&
      this.deps.paged?.tryAcquire() === true
    );
  }

  /**
   * One transaction over pages of the log, from `first` on, for up to `maxTransactionMs`: the handler's `open`
   * writer gets each page's events (the next page is read meanwhile) and writes what it kept in `finish`; then
   * the checkpoint moves to the last page's end. Returns the read in flight for the page after it, if any.
   */
  private async applyPages(
    first: Page,
    read: (after: Checkpoint, size: number) => Promise<Page>,
  ): Promise<{ last: Checkpoint; applied: number; next?: Promise<Page> }> {
    const started = Date.now();
    const { batchSize } = this.deps.options;
    const status = this.state === 'live' ? 'live' : 'catching-up';
    let applied = 0;
    let last = first.after;
    let next: Promise<Page> | undefined;
    let firstRelevant: PersistedEvent | undefined;
    let lastRelevant: PersistedEvent | undefined;
    // A failure names the transaction's first and last event of this projection: isolating it covers them all.
    const failure = (error: unknown) =>
      new HandlerFailure(
        error,
        firstRelevant === lastRelevant ? [lastRelevant!] : [firstRelevant!, lastRelevant!],
      );
    await this.deps.dataSource.transaction(async (tx) => {
      await this.begin(tx, first.after);
      const writer = this.handler.open!(tx);
      let page = first;
      for (;;) {
        const end = page.events[page.events.length - 1].checkpoint;
        // Pages of the live batch size: the transaction, not the read, is what grows (memory stays flat).
        next = page.events.length === page.size ? read(end, batchSize) : undefined;
        next?.catch(() => undefined);
        const relevant = page.events.filter((event) => this.types.has(event.type));
        if (relevant.length > 0) {
          firstRelevant ??= relevant[0];
          lastRelevant = relevant[relevant.length - 1];
          try {
            await writer.write(await this.deps.reveal(relevant));
          } catch (error) {
            throw failure(error);
          }
        }
        applied += page.events.length;
        last = end;
        if (!next || this.stopped || Date.now() - started >= this.deps.options.maxTransactionMs!) {
          break;
        }
        page = await next;
        next = undefined;
        if (page.events.length === 0) break;
      }
      if (lastRelevant) {
        try {
          await writer.finish();
        } catch (error) {
          throw failure(error);
        }
      }
      await this.moveCheckpoint(tx, last, status);
    });
    this.state = status;
    this.lastError = null;
    return { last, applied, next };
  }

  /** At most the handler's `maxBatchEvents` of the events it reads, with the others before the last of them. */
  private capped(events: PersistedEvent[]): PersistedEvent[] {
    const max = this.handler.maxBatchEvents;
    if (max === undefined) return events;
    let seen = 0;
    const at = events.findIndex((e) => this.types.has(e.type) && ++seen === max);
    return at < 0 ? events : events.slice(0, at + 1);
  }

  /** The events up to and including the first one this projection reads. */
  private isolated(events: PersistedEvent[]): PersistedEvent[] {
    const first = events.findIndex((e) => this.types.has(e.type));
    return first < 0 ? events : events.slice(0, first + 1);
  }

  /** One transaction: the checkpoint is still `from` (where the batch was read), the writes, the new checkpoint. */
  private async applyBatch(
    events: PersistedEvent[],
    from: Checkpoint,
    last: Checkpoint,
  ): Promise<void> {
    const relevant = events.filter((event) => this.types.has(event.type));
    const status = this.state === 'live' ? 'live' : 'catching-up';
    if (relevant.length === 0) {
      await this.skipAhead(from, last, status);
      return;
    }
    // Before the transaction: its key lookup never waits for a pooled connection while this one holds another.
    const revealed = await this.revealed(relevant);
    // A rebuild rebuilds tables: what the events caused happened already.
    if (this.handler.react && !this.into.schema) await this.reacted(revealed, relevant);
    await this.deps.dataSource.transaction(async (tx) => {
      await this.begin(tx, from);
      await this.applyHandler(revealed, relevant, tx);
      await this.moveCheckpoint(tx, last, status);
    });
    this.state = status;
    this.lastError = null;
  }

  /** Opens a read-model transaction on the checkpoint it was read after (compare-and-set: see claim). */
  private async begin(tx: EntityManager, from: Checkpoint): Promise<void> {
    // A read model is derived data: a crash may lose the last commits, but writes and checkpoint together.
    await tx.query('SET LOCAL synchronous_commit = off');
    if (this.into.schema) await tx.query(`SET LOCAL search_path = ${this.into.schema}, public`);
    await this.claim(tx, from);
  }

  private async moveCheckpoint(
    tx: EntityManager,
    last: Checkpoint,
    status: 'live' | 'catching-up',
  ): Promise<void> {
    await tx.query(
      `UPDATE ${CHECKPOINTS} SET transaction_id = $2::xid8, global_position = $3, status = $4,
         last_error = NULL, updated_at = now() WHERE name = $1`,
      [this.into.checkpointName, last.transactionId, last.position, status],
    );
  }

  /** A failure here is the events' (an unreadable ciphertext, no upcaster): dead-lettered like a handler's. */
  private async revealed(relevant: PersistedEvent[]): Promise<PersistedEvent[]> {
    try {
      return await this.deps.reveal(relevant);
    } catch (error) {
      throw new HandlerFailure(error, relevant);
    }
  }

  /** Before the transaction: the reactor's commands (in transactions of their own) never hold the horizon back. */
  private async reacted(revealed: PersistedEvent[], relevant: PersistedEvent[]): Promise<void> {
    try {
      await this.handler.react!(revealed);
    } catch (error) {
      throw new HandlerFailure(error, relevant);
    }
  }

  private async applyHandler(
    revealed: PersistedEvent[],
    relevant: PersistedEvent[],
    tx: EntityManager,
  ): Promise<void> {
    try {
      await this.handler.apply(revealed, tx);
    } catch (error) {
      throw new HandlerFailure(error, relevant);
    }
  }

  /**
   * A batch with none of this projection's events only moves the checkpoint: one compare-and-set statement
   * instead of a transaction, since every projection reads every commit.
   */
  private async skipAhead(
    from: Checkpoint,
    last: Checkpoint,
    status: 'live' | 'catching-up',
  ): Promise<void> {
    const [, moved] = await this.deps.dataSource.query(
      `UPDATE ${CHECKPOINTS} SET transaction_id = $4::xid8, global_position = $5, status = $6,
         last_error = NULL, updated_at = now()
       WHERE name = $1 AND transaction_id = $2::xid8 AND global_position = $3 AND status <> 'failed'`,
      [
        this.into.checkpointName,
        from.transactionId,
        from.position,
        last.transactionId,
        last.position,
        status,
      ],
    );
    if (moved === 0) {
      await this.deps.dataSource.transaction((tx) => this.claim(tx, from));
      throw new CheckpointMoved(); // claim found nothing wrong: the row moved and came back; read again
    }
    this.state = status;
    this.lastError = null;
  }

  /**
   * Locks this worker's checkpoint row; it must still be `from`, where the batch was read after. Not the field
   * `checkpoint`: resume() may have moved that while the read was in flight, and the batch would apply twice.
   */
  private async claim(tx: EntityManager, from: Checkpoint): Promise<void> {
    const [row] = await tx.query(
      `SELECT transaction_id::text AS transaction_id, global_position, status FROM ${CHECKPOINTS}
       WHERE name = $1 FOR UPDATE`,
      [this.into.checkpointName],
    );
    if (!row) throw new Error(`Projection checkpoint ${this.into.checkpointName} is missing`);
    const stored = { transactionId: row.transaction_id, position: Number(row.global_position) };
    if (row.status === 'failed') {
      this.stopped = true;
      this.halt('stopped by its stored status: failed');
      throw new CheckpointMoved();
    }
    if (compareCheckpoints(stored, from) !== 0) {
      this.checkpoint = stored;
      throw new CheckpointMoved();
    }
  }

  /** Records the event that keeps failing and stops the projection at it, in one transaction. */
  private async deadLetter(event: PersistedEvent, error: string, attempts: number): Promise<void> {
    await this.deps.dataSource.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO public.projection_dead_letters
           (projection, event_id, global_position, transaction_id, event_type, error, attempts)
         VALUES ($1, $2, $3, $4::xid8, $5, $6, $7)`,
        [
          this.into.checkpointName,
          event.eventId,
          event.globalPosition,
          event.transactionId,
          event.type,
          error,
          attempts,
        ],
      );
      await tx.query(
        `UPDATE ${CHECKPOINTS} SET status = 'failed', last_error = $2, updated_at = now() WHERE name = $1`,
        [this.into.checkpointName, `event ${event.globalPosition} (${event.type}): ${error}`],
      );
    });
    this.halt(`event ${event.globalPosition} (${event.type}): ${error}`);
  }

  private async setStatus(status: 'live' | 'catching-up'): Promise<void> {
    await this.deps.dataSource.query(
      `UPDATE ${CHECKPOINTS} SET status = $2, last_error = NULL WHERE name = $1 AND status <> 'failed'`,
      [this.into.checkpointName, status],
    );
    this.state = status;
  }
}
