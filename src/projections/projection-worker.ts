import type { DataSource, EntityManager } from 'typeorm';
import type { Checkpoint } from '../event-store/event-store.types.js';
import type { PersistedEvent } from '../event-store/persisted-event.js';
import type { PostgresEventStore } from '../event-store/postgres-event-store.js';
import { compareCheckpoints, reached } from './checkpoint.js';
import {
  blamingEvents,
  deadLetterReason,
  HandlerFailure,
  recordDeadLetter,
} from './dead-letters.js';
import type { PagedTransactions } from './paged-transactions.js';
import type { ProjectionHandler } from './projection.js';
import {
  lockCheckpointRow,
  moveCheckpoint,
  moveCheckpointIfAt,
  readCheckpointRow,
  storeRunningStatus,
} from './projection-checkpoints.js';
import { LogReader, type Page, planBatch } from './projection-reader.js';
import {
  afterFailure,
  afterProgress,
  afterResume,
  afterRun,
  batchCommitted,
  HEALTHY,
  halted,
  IDLE,
  isHalted,
  type Recovery,
  resumed,
  type RunningStatus,
  runningStatusOf,
  stopCompleted,
  stopRequested,
  type WorkerState,
} from './worker-state.js';

export { type PagedTransactions, pagedTransactions } from './paged-transactions.js';

export interface WorkerOptions {
  /** Events read per batch when live. */
  batchSize: number;
  /** While batches come back full (catching up), the read size doubles up to this. Default: `batchSize`. */
  maxBatchSize?: number;
  /** How long one transaction over several reads may stay open while catching up; 0: one per read. */
  maxTransactionMs?: number;
  /** Attempts at one event before it is dead-lettered and the projection stops at it. */
  retryAttempts: number;
  retryBaseMs: number;
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

/** The stored checkpoint is not where the batch was read after: read again from the stored one. */
class CheckpointMoved extends Error {}

/**
 * Applies one projection's events after its checkpoint, a batch per transaction that also moves the checkpoint
 * (compare-and-set); failures are isolated to one event and dead-lettered. See docs/architecture.md#projections.
 */
export class ProjectionWorker {
  checkpoint: Checkpoint;
  processed = 0;
  lastError: string | null = null;
  private current: WorkerState = IDLE;
  private recovery: Recovery = HEALTHY;
  /** The newest checkpoint someone waits for: looked for again while the commit horizon hides it. */
  private mustReach?: Checkpoint;
  private running?: Promise<void>;
  /** A wake came during a run: run once more. */
  private wokenDuringRun = false;
  /** A retry or a horizon look-again is scheduled: wakes wait for it. */
  private sleeping?: NodeJS.Timeout;
  private readonly reads: (type: string) => boolean;

  constructor(
    readonly name: string,
    readonly handler: ProjectionHandler,
    readonly writesTo: WorkerTarget,
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
    const types = new Set(handler.eventTypes);
    this.reads = (type) => types.has(type);
  }

  get state(): WorkerState {
    return this.current;
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Runs now, or once more after the batch in flight; `mustReach` is a checkpoint someone waits for. */
  wake(mustReach?: Checkpoint): void {
    if (isHalted(this.current)) return;
    if (mustReach && (!this.mustReach || compareCheckpoints(mustReach, this.mustReach) > 0))
      this.mustReach = mustReach;
    if (this.running) {
      this.wokenDuringRun = true;
      return;
    }
    if (this.sleeping) return;
    this.running = this.run().finally(() => (this.running = undefined));
  }

  /** Resumes a failed or stopped worker from the checkpoint stored now (an operator may have moved it). */
  async resume(): Promise<void> {
    await this.running;
    const row = await readCheckpointRow(this.deps.dataSource, this.writesTo.checkpointName);
    if (row) this.checkpoint = row.checkpoint;
    this.current = resumed();
    this.recovery = afterResume(this.recovery);
    this.lastError = null;
    this.wake();
  }

  /** Stops after the batch in flight. */
  async stop(): Promise<void> {
    this.current = stopRequested(this.current);
    this.cancelSleep();
    await this.running;
    this.current = stopCompleted(this.current);
  }

  /** Marks the worker failed without running (its stored status says an operator must act). */
  halt(lastError: string | null): void {
    this.current = halted();
    this.lastError = lastError;
  }

  /** Resolves when the worker has nothing more to read: the head of the log as far as the horizon shows it. */
  async drain(): Promise<void> {
    for (;;) {
      this.wake();
      await this.running;
      if (this.current.kind === 'failed')
        throw new Error(`Projection ${this.name} failed: ${this.lastError}`);
      if (isHalted(this.current)) return;
      if (!this.wokenDuringRun && !this.sleeping) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  private async run(): Promise<void> {
    try {
      do {
        this.wokenDuringRun = false;
        await this.catchUp();
      } while (this.wokenDuringRun && !isHalted(this.current));
      if (isHalted(this.current)) return;
      this.recovery = afterRun(this.recovery);
      if (this.current.kind !== 'live') await this.storeStatus('live');
      if (this.mustReach && !reached(this.checkpoint, this.mustReach)) {
        // An older transaction is still open and holds the commit horizon back: look again shortly.
        this.sleepThenWake(10);
      } else {
        this.mustReach = undefined;
      }
    } catch (error) {
      if (isHalted(this.current)) return;
      await this.failed(error).catch((e) => this.recordError(e));
    }
  }

  private async failed(error: unknown): Promise<void> {
    const { recovery, next } = afterFailure(
      this.recovery,
      error instanceof HandlerFailure
        ? { kind: 'handler', relevant: error.relevant }
        : { kind: 'infrastructure' },
      this.deps.options,
    );
    this.recovery = recovery;
    if (next.kind === 'retry' && !next.report) return this.sleepThenWake(next.delayMs);
    this.recordError(error);
    if (next.kind === 'retry') return this.sleepThenWake(next.delayMs);
    const [event] = (error as HandlerFailure).relevant;
    const reason = (error as HandlerFailure).message;
    await recordDeadLetter(this.deps.dataSource, this.writesTo.checkpointName, {
      event,
      error: reason,
      attempts: next.attempts,
    });
    this.halt(deadLetterReason(event, reason));
  }

  private sleepThenWake(delayMs: number): void {
    // Unref'd: a retry alone never keeps a process alive (the HTTP server or the CLI's work does).
    this.sleeping = setTimeout(() => {
      this.sleeping = undefined;
      this.wake();
    }, delayMs).unref();
  }

  private cancelSleep(): void {
    clearTimeout(this.sleeping);
    this.sleeping = undefined;
  }

  private recordError(error: unknown): void {
    this.lastError = error instanceof Error ? error.message : String(error);
    this.deps.hooks.onError(this, this.lastError, error);
  }

  private async catchUp(): Promise<void> {
    const { batchSize, maxBatchSize = batchSize } = this.deps.options;
    const sizing = { batchSize, maxBatchSize };
    const reader = new LogReader(this.deps.store, !this.handler.withoutMetadata);
    let size = batchSize;
    while (!isHalted(this.current)) {
      const page = await reader.next(this.checkpoint, size);
      if (page.events.length === 0) return;
      const isolating = this.recovery.isolateUntil !== undefined;
      const batch = planBatch(page, {
        sizing,
        isolating,
        reads: this.reads,
        maxBatchEvents: this.handler.maxBatchEvents,
      });
      const { events } = batch;
      size = batch.nextSize;
      if (batch.full && !isolating && !batch.cut && this.admittedToPagedTransaction()) {
        let paged: Awaited<ReturnType<ProjectionWorker['applyPages']>>;
        try {
          paged = await this.applyPages({ ...page, events }, reader);
        } catch (error) {
          if (!(error instanceof CheckpointMoved)) throw error;
          reader.forget();
          size = batchSize;
          continue;
        } finally {
          this.deps.paged!.release();
        }
        this.progressed(events, paged.last, paged.applied);
        if (paged.next) reader.keep(paged.next);
        else reader.endsAt(paged.last, size);
        continue;
      }
      const last = events[events.length - 1].checkpoint;
      // Read the next batch while this one is written; after an isolated or capped batch, read again after it.
      if (isolating || batch.cut) reader.forget();
      else if (batch.full) reader.readAhead(last, size);
      else reader.endsAt(last, size);
      try {
        await this.applyBatch(events, page.after, last);
      } catch (error) {
        if (!(error instanceof CheckpointMoved)) throw error;
        reader.forget();
        size = batchSize;
        continue;
      }
      this.progressed(events, last, events.length);
    }
  }

  private progressed(events: PersistedEvent[], last: Checkpoint, applied: number): void {
    this.checkpoint = last;
    this.recovery = afterProgress(this.recovery, events, last);
    this.deps.hooks.onProgress(this, applied);
  }

  /** Whether this batch may open a transaction over several pages; if so, the caller releases the admission. */
  private admittedToPagedTransaction(): boolean {
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
   * One transaction over pages from `first` on, for up to `maxTransactionMs`: the handler's `open` writer gets
   * each page (the next is read meanwhile) and writes what it kept in `finish`. Returns the read in flight.
   */
  private async applyPages(
    first: Page,
    reader: LogReader,
  ): Promise<{ last: Checkpoint; applied: number; next?: Promise<Page> }> {
    const started = Date.now();
    const { batchSize } = this.deps.options;
    const status = runningStatusOf(this.current);
    let applied = 0;
    let last = first.after;
    let next: Promise<Page> | undefined;
    let firstRelevant: PersistedEvent | undefined;
    let lastRelevant: PersistedEvent | undefined;
    // A failure names the transaction's first and last event of this projection: isolating it covers them all.
    const blamed = () =>
      firstRelevant === lastRelevant ? [lastRelevant!] : [firstRelevant!, lastRelevant!];
    await this.deps.dataSource.transaction(async (tx) => {
      await this.begin(tx, first.after);
      const writer = this.handler.open!(tx);
      let page = first;
      for (;;) {
        const end = page.events[page.events.length - 1].checkpoint;
        // Pages of the live batch size: the transaction, not the read, is what grows (memory stays flat).
        next = page.events.length === page.size ? reader.read(end, batchSize) : undefined;
        next?.catch(() => undefined);
        const relevant = page.events.filter((event) => this.reads(event.type));
        if (relevant.length > 0) {
          firstRelevant ??= relevant[0];
          lastRelevant = relevant[relevant.length - 1];
          await blamingEvents(blamed(), async () => writer.write(await this.deps.reveal(relevant)));
        }
        applied += page.events.length;
        last = end;
        if (
          !next ||
          isHalted(this.current) ||
          Date.now() - started >= this.deps.options.maxTransactionMs!
        ) {
          break;
        }
        page = await next;
        next = undefined;
        if (page.events.length === 0) break;
      }
      if (lastRelevant) await blamingEvents(blamed(), () => writer.finish());
      await moveCheckpoint(tx, this.writesTo.checkpointName, last, status);
    });
    this.committed(status);
    return { last, applied, next };
  }

  /** One transaction: the checkpoint is still `from` (where the batch was read), the writes, the new checkpoint. */
  private async applyBatch(
    events: PersistedEvent[],
    from: Checkpoint,
    last: Checkpoint,
  ): Promise<void> {
    const relevant = events.filter((event) => this.reads(event.type));
    const status = runningStatusOf(this.current);
    if (relevant.length === 0) {
      await this.passOver(from, last, status);
      return;
    }
    // Before the transaction: its key lookup never waits for a pooled connection while this one holds another.
    const revealed = await blamingEvents(relevant, () => this.deps.reveal(relevant));
    // Before the transaction too, so a reactor's commands never hold the horizon back; a rebuild does not react.
    if (this.handler.react && !this.writesTo.schema)
      await blamingEvents(relevant, () => this.handler.react!(revealed));
    await this.deps.dataSource.transaction(async (tx) => {
      await this.begin(tx, from);
      await blamingEvents(relevant, () => this.handler.apply(revealed, tx));
      await moveCheckpoint(tx, this.writesTo.checkpointName, last, status);
    });
    this.committed(status);
  }

  private committed(status: RunningStatus): void {
    this.current = batchCommitted(this.current, status);
    this.lastError = null;
  }

  /** Opens a read-model transaction on the checkpoint it was read after (compare-and-set: see claim). */
  private async begin(tx: EntityManager, from: Checkpoint): Promise<void> {
    // A read model is derived data: a crash may lose the last commits, but writes and checkpoint together.
    await tx.query('SET LOCAL synchronous_commit = off');
    if (this.writesTo.schema)
      await tx.query(`SET LOCAL search_path = ${this.writesTo.schema}, public`);
    await this.claim(tx, from);
  }

  /** A batch with none of this projection's events only moves the checkpoint: one statement, no transaction. */
  private async passOver(from: Checkpoint, last: Checkpoint, status: RunningStatus): Promise<void> {
    const moved = await moveCheckpointIfAt(this.deps.dataSource, this.writesTo.checkpointName, {
      from,
      to: last,
      status,
    });
    if (!moved) {
      await this.deps.dataSource.transaction((tx) => this.claim(tx, from));
      throw new CheckpointMoved(); // claim found nothing wrong: the row moved and came back; read again
    }
    this.committed(status);
  }

  /**
   * Locks the checkpoint row, which must still be `from`: not the field `checkpoint`, which resume() may have
   * moved while the read was in flight (the batch would apply twice).
   */
  private async claim(tx: EntityManager, from: Checkpoint): Promise<void> {
    const stored = await lockCheckpointRow(tx, this.writesTo.checkpointName);
    if (stored.status === 'failed') {
      this.halt('stopped by its stored status: failed');
      throw new CheckpointMoved();
    }
    if (compareCheckpoints(stored.checkpoint, from) !== 0) {
      this.checkpoint = stored.checkpoint;
      throw new CheckpointMoved();
    }
  }

  private async storeStatus(status: RunningStatus): Promise<void> {
    await storeRunningStatus(this.deps.dataSource, this.writesTo.checkpointName, status);
    this.current = batchCommitted(this.current, status);
  }
}
