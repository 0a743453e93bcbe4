import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { isDatabaseUnavailable } from '../database/database-errors.js';
import { type Checkpoint, START } from '../event-store/event-store.types.js';
import type { PersistedEvent } from '../event-store/persisted-event.js';
import { PG_POOL, PostgresEventStore } from '../event-store/index.js';
import { compareCheckpoints, reached } from './checkpoint.js';
import { CommitNotices, readEventsNotice } from './events-notice.js';
import { CONTROL_CHANNEL, EVENTS_CHANNEL, Leases } from './leases.js';
import { type LogRead, projectionLog, sharedReads } from './log-read.js';
import { type PagedTransactions, pagedTransactions } from './paged-transactions.js';
import {
  type Processor,
  PROCESSOR_METADATA,
  type ProcessorMetadata,
  asProcessor,
  tablesOf,
} from './processor.js';
import { DependencyUnavailable, UnknownPosition, UnknownProjection } from './projection.errors.js';
import {
  ensureCheckpointRow,
  readCheckpointRow,
  waitForStoredCheckpoints,
} from './projection-checkpoints.js';
import { type DeadLetter, ProjectionOperations } from './projection-operations.js';
import {
  ProjectionRebuild,
  RebuildInProgress,
  type RebuildProgress,
  type RunningRebuild,
} from './projection-rebuild.js';
import type { ProjectionStatus } from './projection-status.js';
import { readProjectionStatuses } from './projection-status.query.js';
import { ProjectionWorker, type WorkerTarget } from './projection-worker.js';
import { isRunning } from './worker-state.js';

export { NothingToSkip, UnknownPosition, UnknownProjection } from './projection.errors.js';

/**
 * Runs each @Projection, @Reactor and @Consumer where its lease is held, always from its stored checkpoint: a missed
 * wake only delays it.
 * See docs/architecture.md#projections.
 */
@Injectable()
export class ProjectionRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ProjectionRunner.name);
  private readonly processors = new Map<string, Processor>();
  private readonly workers = new Map<string, ProjectionWorker>();
  private readonly progress = new EventEmitter().setMaxListeners(0);
  /** Transactions over several pages hold a pooled connection and borrow another: at most half the pool. */
  private readonly paged: PagedTransactions;
  private readonly instance = `${hostname()}:${process.pid}`;
  /** Named by a random id: one process may run several apps, as tests do. */
  private readonly notices: CommitNotices;
  private readonly operations: ProjectionOperations;
  private readonly log: LogRead;
  private leases?: Leases;
  private pollTimer?: NodeJS.Timeout;
  private shuttingDown = false;
  private readonly refreshing = new Set<Promise<void>>();
  private readonly commitListeners = new Set<(checkpoint?: Checkpoint) => void>();
  /** First catch-ups running as rebuilds, by projection; one that failed is not tried again in this process. */
  private readonly firstCatchUps = new Map<string, RunningRebuild>();
  private readonly failedAsRebuild = new Set<string>();
  /** Lease just taken: no wake runs the worker before its refresh has decided how it starts. */
  private readonly heldBack = new Set<string>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
    private readonly store: PostgresEventStore,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.paged = pagedTransactions(Math.floor(config.dbPoolSize / 2));
    this.notices = new CommitNotices(dataSource, randomUUID());
    this.operations = new ProjectionOperations(dataSource);
    this.log = sharedReads(projectionLog(pool));
  }

  get names(): string[] {
    return [...this.processors.keys()];
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const wrapper of this.discovery.getProviders()) {
      const registered =
        wrapper.metatype &&
        this.reflector.get<ProcessorMetadata | undefined>(PROCESSOR_METADATA, wrapper.metatype);
      if (!registered || !wrapper.instance) continue;
      this.processors.set(registered.name, asProcessor(registered.kind, wrapper.instance));
    }
    for (const [name, processor] of this.processors) {
      const row = await ensureCheckpointRow(this.dataSource, name);
      this.workers.set(
        name,
        this.worker(name, processor, { checkpointName: name }, row.checkpoint),
      );
    }
    const { run } = this.config.projections;
    if (run === false) return;
    const unknown = run === true ? [] : run.filter((name) => !this.processors.has(name));
    if (unknown.length > 0) {
      throw new Error(`RUN_PROJECTIONS names no projection called ${unknown.join(', ')}`);
    }
    this.leases = new Leases(
      this.pool,
      run === true ? this.names : [...run],
      this.instance,
      this.config.projections.leaseRetryMs,
      {
        acquired: (name) => this.track(this.acquired(name), name),
        lost: (name) => {
          void this.workers.get(name)?.stop();
          void this.firstCatchUps.get(name)?.stop();
        },
        notified: (channel, payload) => this.notified(channel, payload),
      },
    );
    await this.leases.start();
    this.pollTimer = setInterval(() => this.poll(), this.config.projections.pollMs).unref();
  }

  /** Before TypeORM's own shutdown hook destroys the pool, so a batch in flight finishes on a live connection. */
  async beforeApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    const noticesSent = this.notices.close();
    clearInterval(this.pollTimer);
    // Left to resume at the next start; a refresh under way may resume a worker: let it finish, then stop them all.
    await Promise.all([...this.firstCatchUps.values()].map((rebuild) => rebuild.stop()));
    await Promise.all(this.refreshing);
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
    await this.leases?.close();
    await noticesSent;
  }

  /**
   * Wakes the local projections (given `types`, those reading one; given `names`, those named); the others pass
   * such events at their next poll.
   */
  notify(mustReach?: Checkpoint, types?: ReadonlySet<string>, names?: readonly string[]): void {
    if (this.shuttingDown) return;
    for (const [name, worker] of this.workers) {
      if (!this.leases?.holds(name) || this.heldBack.has(name) || this.firstCatchUps.has(name))
        continue;
      if (names && !names.includes(name)) continue;
      if (types && !worker.readsAnyOf(types)) continue;
      worker.wake(mustReach);
    }
  }

  /** After a local commit: wakes the local projections that read its type, and tells other processes. */
  onCommitted(event: PersistedEvent): void {
    this.notify(event.checkpoint, new Set([event.type]));
    for (const listener of this.commitListeners) listener(event.checkpoint);
    if (!this.shuttingDown) this.notices.committed(event.type, event.checkpoint);
  }

  /**
   * Calls `listener` for every commit this process hears of: its own (from the EventBus) and other processes'
   * (their notices, on the lease connection, which a process running no projection does not open). Returns its
   * removal.
   */
  onCommitNotice(listener: (checkpoint?: Checkpoint) => void): () => void {
    this.commitListeners.add(listener);
    return () => void this.commitListeners.delete(listener);
  }

  /**
   * Waits until the named projections (all when none named) have processed the event at `position`; with
   * `replica`, until that database has replayed it (docs/architecture.md#reads-from-a-replica).
   */
  async waitFor(
    position: number,
    names: readonly string[] | undefined,
    timeoutMs: number,
    replica?: Pick<DataSource, 'query'>,
    /** Wraps the wait itself, not the lookup of the position before it (a request's budget pauses over it). */
    waiting: <T>(wait: Promise<T>) => Promise<T> = (wait) => wait,
  ): Promise<boolean> {
    const target = await this.store.checkpointOf(position);
    if (!target) throw new UnknownPosition(position);
    return waiting(this.waitForCheckpoint(target, names, timeoutMs, replica));
  }

  private async waitForCheckpoint(
    target: Checkpoint,
    names: readonly string[] | undefined,
    timeoutMs: number,
    replica?: Pick<DataSource, 'query'>,
  ): Promise<boolean> {
    const selected = this.names.filter((name) => !names || names.includes(name));
    const local = selected.every((name) => this.leases?.holds(name));
    const deadline = Date.now() + timeoutMs;
    // A checkpoint commits with its read-model rows and a standby replays commits in order: the checkpoint as
    // the replica reads it says what the replica's read models hold, in one indexed lookup on the replica alone.
    if (replica) return waitForStoredCheckpoints(replica, { names: selected, target, deadline });
    // Another instance runs (some of) them: watch their stored checkpoints.
    if (!local)
      return waitForStoredCheckpoints(this.dataSource, { names: selected, target, deadline });
    const done = () =>
      selected.every((name) => reached(this.workers.get(name)!.checkpoint, target));
    if (done()) return true;
    // Only the projections waited for: a read of accounts does not run the others before their poll.
    this.notify(target, undefined, selected);
    return new Promise<boolean>((resolve) => {
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        this.progress.off('progress', onProgress);
        resolve(ok);
      };
      const onProgress = () => done() && finish(true);
      const timer = setTimeout(() => finish(done()), Math.max(0, deadline - Date.now()));
      this.progress.on('progress', onProgress);
    });
  }

  /** The checkpoint this instance's worker has reached; undefined when another instance runs it. */
  localCheckpoint(name: string): Checkpoint | undefined {
    return this.leases?.holds(name) ? this.workers.get(name)?.checkpoint : undefined;
  }

  async status(): Promise<ProjectionStatus[]> {
    return readProjectionStatuses(
      this.dataSource,
      this.names,
      (name) => this.workers.get(name)?.processed ?? 0,
      (name) => this.processors.get(name)?.handler.eventTypes ?? [],
    );
  }

  /** Resumes a failed projection at the event it stopped at (after a fix), wherever it runs. */
  async retry(name: string): Promise<void> {
    this.processorOf(name);
    await this.operations.retry(name);
    await this.refresh(name);
  }

  /** Moves a failed projection past the one event it stopped at; recorded on its dead letter. */
  async skip(name: string, position: number): Promise<void> {
    this.processorOf(name);
    await this.operations.skip(name, position);
    await this.refresh(name);
  }

  async deadLetters(name: string): Promise<DeadLetter[]> {
    this.processorOf(name);
    return this.operations.deadLetters(name);
  }

  /**
   * Starts rebuilding a projection into shadow tables (RebuildInProgress when one already runs anywhere);
   * `done` settles once they are swapped in.
   */
  async startRebuild(
    name: string,
    onProgress?: (progress: RebuildProgress) => void,
  ): Promise<{ done: Promise<void> }> {
    const { done } = await this.rebuildOf(name).start(
      (target, start) => this.worker(name, this.processorOf(name), target, start),
      onProgress,
    );
    return { done: done.then(() => this.notify()) };
  }

  private rebuildOf(name: string): ProjectionRebuild {
    const processor = this.processorOf(name);
    // A reactor or a consumer has no tables: its rebuild runs it from the start (docs/architecture.md#projections).
    return new ProjectionRebuild(this.dataSource, this.pool, name, tablesOf(processor), {
      insertOnly: processor.kind === 'projection' ? processor.handler.insertOnly : undefined,
      maintenanceStatementTimeoutMs: this.config.database.maintenanceStatementTimeoutMs,
    });
  }

  /**
   * A read model with insert-only tables that has never run, over a long log, catches up as a rebuild (its live
   * worker waits): the copies of those tables get their keys and indexes once, after the load. A copy left by a
   * stopped or crashed first catch-up is resumed. False when it does not apply or another rebuild runs.
   */
  private async startedFirstCatchUpAsRebuild(name: string, stored: Checkpoint): Promise<boolean> {
    if (this.firstCatchUps.has(name)) return true;
    const processor = this.processorOf(name);
    const from = this.config.projections.firstCatchUpAsRebuildFrom;
    if (
      from === 0 ||
      processor.kind !== 'projection' ||
      !processor.handler.insertOnly?.length ||
      compareCheckpoints(stored, START) !== 0 ||
      this.failedAsRebuild.has(name)
    )
      return false;
    // Held from here: a refresh meanwhile (another notice) must not resume the live worker.
    let rebuild: RunningRebuild | undefined;
    let stopped = false;
    this.firstCatchUps.set(name, {
      done: Promise.resolve(false),
      stop: async () => {
        stopped = true;
        await rebuild?.stop();
      },
    });
    try {
      if ((await this.store.headPosition()) < from) return false;
      rebuild = await this.rebuildOf(name).start(
        (target, start) => this.worker(name, processor, target, start),
        undefined,
        { resume: true },
      );
    } catch (error) {
      // Another process rebuilds it: the live worker catches up meanwhile, the swap moves its checkpoint on.
      if (error instanceof RebuildInProgress) return false;
      throw error;
    } finally {
      if (!rebuild) this.firstCatchUps.delete(name);
    }
    this.logger.log(`Projection ${name}: first catch-up runs as a rebuild`);
    if (stopped) await rebuild.stop();
    const finished = rebuild.done
      .catch(async (error) => {
        this.failedAsRebuild.add(name);
        this.logger.warn(
          `Projection ${name}: first catch-up as a rebuild failed: ${String(error)}`,
        );
        // The live worker catches up in place from here: nothing will resume the copy.
        await this.rebuildOf(name)
          .discard()
          .catch(() => undefined);
      })
      .finally(() => this.firstCatchUps.delete(name))
      .then(() => this.refresh(name))
      .then(() => void this.progress.emit('progress', name));
    this.track(finished, name);
    return true;
  }

  async rebuild(name: string, onProgress?: (progress: RebuildProgress) => void): Promise<void> {
    await (
      await this.startRebuild(name, onProgress)
    ).done;
  }

  private processorOf(name: string): Processor {
    const processor = this.processors.get(name);
    if (!processor) throw new UnknownProjection(name);
    return processor;
  }

  private worker(
    name: string,
    processor: Processor,
    target: WorkerTarget,
    start: Checkpoint,
  ): ProjectionWorker {
    const {
      batchSize,
      maxBatchSize,
      maxTransactionMs,
      retryAttempts,
      retryBaseMs,
      wakeIntervalMs,
    } = this.config.projections;
    return new ProjectionWorker(name, processor, target, start, {
      dataSource: this.dataSource,
      store: this.log,
      options: {
        batchSize,
        maxBatchSize: Math.max(batchSize, maxBatchSize),
        maxTransactionMs,
        retryAttempts,
        retryBaseMs,
        wakeIntervalMs: Math.max(wakeIntervalMs, processor.handler.wakeIntervalMs ?? 0),
      },
      paged: this.paged,
      decryptAndUpcast: async (events) =>
        (await this.store.decryptPersonalData(events)).map((event) =>
          this.store.registry.upcast(event),
        ),
      hooks: {
        onProgress: (worker, applied) => {
          worker.processed += applied;
          this.progress.emit('progress', worker.name);
        },
        onError: (worker, message, error) => {
          const line = `Projection ${worker.writesTo.checkpointName} failed: ${message}`;
          // An outage fails every retry: DatabaseHealth (or the reactor's dependency) logs it once instead.
          if (isDatabaseUnavailable(error) || error instanceof DependencyUnavailable)
            this.logger.debug(line);
          else this.logger.error(line);
        },
      },
    });
  }

  private async acquired(name: string): Promise<void> {
    if (this.shuttingDown) return;
    this.logger.log(`Projection ${name}: lease acquired by ${this.instance}`);
    this.heldBack.add(name);
    try {
      await this.refresh(name);
    } finally {
      this.heldBack.delete(name);
    }
  }

  /** Brings the local worker in line with its stored row: failed stays stopped, anything else resumes. */
  private async refresh(name: string): Promise<void> {
    const worker = this.workers.get(name);
    if (!worker || !this.leases?.holds(name) || this.shuttingDown) return;
    const row = await readCheckpointRow(this.dataSource, name);
    if (!row || this.shuttingDown) return;
    if (row.status === 'failed') {
      await worker.stop();
      worker.halt(row.lastError);
    } else if (!isRunning(worker.state)) {
      if (await this.startedFirstCatchUpAsRebuild(name, row.checkpoint)) return;
      // Also while stopping: the lease was lost and is back while a batch was in flight; wake() would do nothing.
      await worker.resume();
    } else if (row.status === 'catching-up' || row.status === 'live') {
      // Its row may say catching-up while it is live (a retry, a rebuild's swap): its next run stores live.
      worker.followStoredStatus(row.status);
    } else {
      worker.wake();
    }
  }

  private notified(channel: string, payload: string): void {
    if (channel === EVENTS_CHANNEL) {
      const notice = readEventsNotice(payload);
      if (notice?.from === this.notices.from) return;
      this.notify(notice?.checkpoint, notice?.types);
      for (const listener of this.commitListeners) listener(notice?.checkpoint);
    } else if (channel === CONTROL_CHANNEL && this.workers.has(payload)) {
      this.track(this.refresh(payload), payload);
    }
  }

  /** A refresh runs in the background; shutdown waits for it, so its query never meets a closed pool. */
  private track(refresh: Promise<void>, name: string): void {
    const tracked = refresh
      .catch((e) => this.refreshFailed(name, e))
      .finally(() => this.refreshing.delete(tracked));
    this.refreshing.add(tracked);
  }

  private refreshFailed(name: string, error: unknown): void {
    if (this.shuttingDown) return;
    const line = `Projection ${name}: could not read its stored state: ${String(error)}`;
    // An outage: DatabaseHealth logs it once, not each projection on each poll.
    if (isDatabaseUnavailable(error)) this.logger.debug(line);
    else this.logger.warn(line);
  }

  private poll(): void {
    this.notify();
    for (const [name, worker] of this.workers) {
      if (worker.state.kind === 'failed') this.track(this.refresh(name), name);
    }
  }
}
