import type { DataSource, EntityManager } from 'typeorm';
import type { Checkpoint } from '../event-store/event-store.types.js';
import type { PersistedEvent } from '../event-store/persisted-event.js';
import type { LogRead } from './log-read.js';
import { BatchTransactions, CheckpointMoved, type WorkerTarget } from './batch-transactions.js';
import { compareCheckpoints, reached } from './checkpoint.js';
import { deadLetterReason, HandlerFailure, recordDeadLetter } from './dead-letters.js';
import type { PagedTransactions } from './paged-transactions.js';
import type { Processor, ProjectionTransaction } from './processor.js';
import {
  readCheckpointRow,
  storeDependencyError,
  storeRunningStatus,
} from './projection-checkpoints.js';
import { DependencyUnavailable } from './projection.errors.js';
import { LogReader, planBatch } from './projection-reader.js';
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
  storedStatusRead,
  type WorkerState,
} from './worker-state.js';

export { type PagedTransactions, pagedTransactions } from './paged-transactions.js';
export type { WorkerTarget } from './batch-transactions.js';

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
  /**
   * Live, the least time from one run's start to the next: the wakes of a burst of commits make one run, and every
   * run reads the log (an empty read while the commit horizon hides a commit). 0: run at every wake.
   */
  wakeIntervalMs?: number;
}

export interface WorkerHooks {
  onProgress(worker: ProjectionWorker, applied: number): void;
  onError(worker: ProjectionWorker, message: string, error: unknown): void;
}

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
  /** A retry, a horizon look-again or a wake held back by the wake interval is scheduled: wakes wait for it. */
  private sleeping?: NodeJS.Timeout;
  /** When the last run began (Date.now()). */
  private ranAt = 0;
  private readonly reads: (type: string) => boolean;
  private readonly batches: BatchTransactions;

  constructor(
    readonly name: string,
    readonly processor: Processor,
    readonly writesTo: WorkerTarget,
    start: Checkpoint,
    private readonly deps: {
      dataSource: DataSource;
      /** The log (`projectionLog`, or the store: both keep readAll's contract). */
      store: LogRead;
      options: WorkerOptions;
      hooks: WorkerHooks;
      /** Stored events as the handler reads them: personal data decrypted, lifted to the current schema. */
      decryptAndUpcast: (events: readonly PersistedEvent[]) => Promise<PersistedEvent[]>;
      paged?: PagedTransactions;
    },
  ) {
    this.checkpoint = start;
    const types = new Set(processor.handler.eventTypes);
    this.reads = (type) => types.has(type);
    const { dataSource, decryptAndUpcast } = deps;
    this.batches = new BatchTransactions({
      dataSource,
      processor,
      writesTo,
      reads: this.reads,
      decryptAndUpcast,
    });
  }

  get state(): WorkerState {
    return this.current;
  }

  /** Whether it reads one of `types`: from the set built once, not the handler's list (every commit asks). */
  readsAnyOf(types: ReadonlySet<string>): boolean {
    for (const type of types) if (this.reads(type)) return true;
    return false;
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
    const early = this.untilNextRun();
    if (early > 0) return this.sleepThenWake(early);
    this.ranAt = Date.now();
    this.running = this.run().finally(() => {
      this.running = undefined;
      // Woken during the run: once more, when the wake interval allows.
      if (this.wokenDuringRun && !this.sleeping) this.wake();
    });
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

  /** Follows its stored row's status, written by someone else: a live worker whose row says catching-up stores live again. */
  followStoredStatus(stored: RunningStatus): void {
    this.current = storedStatusRead(this.current, stored);
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
    // One run that begins after this call, so what was committed before it is read: a run in flight may have read
    // before that, so it is followed by one more (once: waking a running worker at every turn would never end).
    if (this.running) this.wokenDuringRun = true;
    else if (!this.sleeping) this.wake();
    for (;;) {
      await this.running;
      if (this.current.kind === 'failed')
        throw new Error(`Projection ${this.name} failed: ${this.lastError}`);
      if (isHalted(this.current)) return;
      if (!this.running && !this.sleeping && !this.wokenDuringRun) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  private async run(): Promise<void> {
    try {
      this.wokenDuringRun = false;
      await this.catchUp();
      if (isHalted(this.current)) return;
      this.recovery = afterRun(this.recovery);
      if (this.current.kind !== 'live') await this.storeStatus('live');
      if (this.mustReach && !reached(this.checkpoint, this.mustReach)) {
        // An older transaction is still open and holds the commit horizon back: look again shortly.
        this.sleepThenWake(Math.max(10, this.untilNextRun()));
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
    if (next.kind === 'retry') {
      // The status is read from the row: an outage (NATS down, the stream gone or full) must not look healthy.
      if (error instanceof DependencyUnavailable)
        await storeDependencyError(
          this.deps.dataSource,
          this.writesTo.checkpointName,
          error.message,
        ).catch(() => undefined);
      return this.sleepThenWake(next.delayMs);
    }
    const [event] = (error as HandlerFailure).relevant;
    const reason = (error as HandlerFailure).message;
    await recordDeadLetter(this.deps.dataSource, this.writesTo.checkpointName, {
      event,
      error: reason,
      attempts: next.attempts,
    });
    this.halt(deadLetterReason(event, reason));
  }

  /** How long the wake interval still holds the next run back (0 or less: it may start now). */
  private untilNextRun(): number {
    return this.ranAt + (this.deps.options.wakeIntervalMs ?? 0) - Date.now();
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
    const reader = new LogReader(this.deps.store, !this.processor.handler.withoutMetadata);
    let size = batchSize;
    while (!isHalted(this.current)) {
      const page = await reader.next(this.checkpoint, size);
      if (page.events.length === 0) return;
      const isolating = this.recovery.isolateUntil !== undefined;
      const batch = planBatch(page, {
        sizing,
        isolating,
        reads: this.reads,
        maxBatchEvents:
          this.processor.kind === 'reactor' ? this.processor.handler.maxBatchEvents : undefined,
      });
      const { events } = batch;
      size = batch.nextSize;
      const open =
        batch.full && !isolating && !batch.cut ? this.admittedToPagedTransaction() : undefined;
      if (open) {
        const status = runningStatusOf(this.current);
        let paged: Awaited<ReturnType<BatchTransactions['writePages']>>;
        try {
          paged = await this.batches.writePages(
            { ...page, events },
            {
              open,
              reader,
              pageSize: maxBatchSize,
              maxMs: this.deps.options.maxTransactionMs!,
              status,
              stopping: () => isHalted(this.current),
            },
          );
        } catch (error) {
          this.checkpointMoved(error, reader);
          size = batchSize;
          continue;
        } finally {
          this.deps.paged!.release();
        }
        this.committed(status);
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
      const status = runningStatusOf(this.current);
      try {
        await this.batches.write(events, { from: page.after, last, status });
      } catch (error) {
        this.checkpointMoved(error, reader);
        size = batchSize;
        continue;
      }
      this.committed(status);
      this.progressed(events, last, events.length);
    }
  }

  /**
   * A write the stored checkpoint row refused (any other error is thrown again): not the field `checkpoint` but the
   * row decides where to read again, since resume() may have moved the field meanwhile.
   */
  private checkpointMoved(error: unknown, reader: LogReader): void {
    if (!(error instanceof CheckpointMoved)) throw error;
    const { stored, storedFailed } = error;
    if (storedFailed) this.halt('stopped by its stored status: failed');
    else if (stored) this.checkpoint = stored;
    reader.forget();
  }

  private progressed(events: PersistedEvent[], last: Checkpoint, applied: number): void {
    this.checkpoint = last;
    this.recovery = afterProgress(this.recovery, events, last);
    this.deps.hooks.onProgress(this, applied);
  }

  /**
   * A read model's `open`, when this batch may open a transaction over several pages (the caller then releases the
   * admission); a reactor's or a consumer's batches are one read each.
   */
  private admittedToPagedTransaction(): ((tx: EntityManager) => ProjectionTransaction) | undefined {
    const { maxTransactionMs = 0 } = this.deps.options;
    const { processor } = this;
    if (maxTransactionMs <= 0 || processor.kind !== 'projection') return undefined;
    const readModel = processor.handler;
    if (!readModel.open || this.deps.paged?.tryAcquire() !== true) return undefined;
    return readModel.open.bind(readModel);
  }

  private committed(status: RunningStatus): void {
    this.current = batchCommitted(this.current, status);
    this.lastError = null;
  }

  private async storeStatus(status: RunningStatus): Promise<void> {
    await storeRunningStatus(this.deps.dataSource, this.writesTo.checkpointName, status);
    this.current = batchCommitted(this.current, status);
  }
}
