import { EventEmitter } from 'node:events';
import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import type { Checkpoint } from '../event-store/event-store.types.js';
import { START } from '../event-store/event-store.types.js';
import type { PersistedEvent } from '../event-store/persisted-event.js';
import { PostgresEventStore } from '../event-store/postgres-event-store.js';
import { DomainError } from '../shared/domain-error.js';
import { compareCheckpoints, reached } from './checkpoint.js';
import { PROJECTION_METADATA, type ProjectionHandler } from './projection.js';

const BATCH_SIZE = 1000;
const MAX_BACKOFF_MS = 30_000;

export type ProjectionState = 'catching-up' | 'live' | 'failed';

interface RunningProjection {
  name: string;
  handler: ProjectionHandler;
  types: Set<string>;
  checkpoint: Checkpoint;
  /** The newest checkpoint someone is waiting for (an event published after commit, a consistent read). */
  target?: Checkpoint;
  state: ProjectionState;
  running?: Promise<void>;
  rerun: boolean;
  failures: number;
  lastError?: string;
  retryTimer?: NodeJS.Timeout;
  /** Set while a failed batch waits out its backoff: wake-ups (poll, EventBus) do not cut it short. */
  backoff?: NodeJS.Timeout;
}

export class UnknownPosition extends DomainError {
  readonly kind = 'invalid';
  readonly code = 'unknown-position';
  constructor(readonly position: number) {
    super(`No event is stored at global position ${position}`);
  }
}

class CheckpointMoved extends Error {}

/**
 * Runs every @Projection provider as a durable subscriber to the global log: it reads after its checkpoint in
 * commit-safe order and applies each batch in one transaction together with the new checkpoint, so a
 * redelivered or re-read event is never applied twice. EventBus deliveries and a poll timer wake it up.
 */
@Injectable()
export class ProjectionRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ProjectionRunner.name);
  private readonly projections = new Map<string, RunningProjection>();
  private readonly progress = new EventEmitter().setMaxListeners(0);
  private pollTimer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
    private readonly store: PostgresEventStore,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const wrapper of this.discovery.getProviders()) {
      const name =
        wrapper.metatype && this.reflector.get<string>(PROJECTION_METADATA, wrapper.metatype);
      if (!name || !wrapper.instance) continue;
      const handler = wrapper.instance as ProjectionHandler;
      await this.dataSource.query(
        'INSERT INTO projection_checkpoints (name) VALUES ($1) ON CONFLICT (name) DO NOTHING',
        [name],
      );
      this.projections.set(name, {
        name,
        handler,
        types: new Set(handler.eventTypes),
        checkpoint: await this.storedCheckpoint(name),
        state: 'catching-up',
        rerun: false,
        failures: 0,
      });
    }
    this.pollTimer = setInterval(() => this.notify(), this.config.projectionPollMs).unref();
    this.notify();
  }

  /** Before TypeORM's own shutdown hook destroys the pool, so a batch in flight finishes on a live connection. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pollTimer);
    for (const p of this.projections.values()) {
      clearTimeout(p.retryTimer);
      clearTimeout(p.backoff);
    }
    await Promise.all([...this.projections.values()].map((p) => p.running));
  }

  /** Wakes every projection; `target` is a checkpoint that must be reached, retried while the horizon holds it back. */
  notify(target?: Checkpoint): void {
    for (const p of this.projections.values()) this.schedule(p, target);
  }

  /** Waits until the named projections (all when none named) have processed the event at `position`. */
  async waitFor(
    position: number,
    names: readonly string[] | undefined,
    timeoutMs: number,
  ): Promise<boolean> {
    const target = await this.store.checkpointOf(position);
    if (!target) throw new UnknownPosition(position);
    const selected = [...this.projections.values()].filter((p) => !names || names.includes(p.name));
    const done = () => selected.every((p) => reached(p.checkpoint, target));
    if (done()) return true;
    this.notify(target);
    return new Promise<boolean>((resolve) => {
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        this.progress.off('progress', onProgress);
        resolve(ok);
      };
      const onProgress = () => done() && finish(true);
      const timer = setTimeout(() => finish(done()), timeoutMs);
      this.progress.on('progress', onProgress);
    });
  }

  status() {
    return [...this.projections.values()].map(({ name, state, checkpoint, lastError }) => ({
      name,
      state,
      checkpoint,
      lastError,
    }));
  }

  private schedule(p: RunningProjection, target?: Checkpoint): void {
    if (this.stopped) return;
    if (target && (!p.target || compareCheckpoints(target, p.target) > 0)) p.target = target;
    if (p.running) {
      p.rerun = true;
      return;
    }
    if (p.backoff) return;
    p.running = this.run(p).finally(() => (p.running = undefined));
  }

  private async run(p: RunningProjection): Promise<void> {
    try {
      do {
        p.rerun = false;
        await this.catchUp(p);
      } while (p.rerun && !this.stopped);
      p.state = 'live';
      p.failures = 0;
      p.lastError = undefined;
      if (p.target && !reached(p.checkpoint, p.target)) {
        // An older transaction is still open and holds the commit horizon back: look again shortly.
        p.retryTimer = setTimeout(() => this.schedule(p), 10);
      } else {
        p.target = undefined;
      }
    } catch (error) {
      if (this.stopped) return;
      p.failures += 1;
      p.state = 'failed';
      p.lastError = error instanceof Error ? error.message : String(error);
      const delay = Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(p.failures, 12));
      this.logger.error(
        `Projection ${p.name} failed (attempt ${p.failures}), retrying in ${delay} ms: ${p.lastError}`,
      );
      p.backoff = setTimeout(() => {
        p.backoff = undefined;
        this.schedule(p);
      }, delay);
    }
  }

  private async catchUp(p: RunningProjection): Promise<void> {
    let next = this.store.readAll({ after: p.checkpoint, limit: BATCH_SIZE });
    while (!this.stopped) {
      const events = await next;
      if (events.length === 0) return;
      const last = events[events.length - 1].checkpoint;
      // Read the next batch while this one is written: the database and this process work in parallel.
      next =
        events.length < BATCH_SIZE
          ? Promise.resolve([])
          : this.store.readAll({ after: last, limit: BATCH_SIZE });
      next.catch(() => undefined);
      try {
        await this.applyBatch(p, events, last);
      } catch (error) {
        if (!(error instanceof CheckpointMoved)) throw error;
        next = this.store.readAll({ after: p.checkpoint, limit: BATCH_SIZE });
        continue;
      }
      p.checkpoint = last;
      this.progress.emit('progress', p.name);
    }
  }

  /** One transaction: the checkpoint is still ours, the projection's writes, the new checkpoint. */
  private async applyBatch(
    p: RunningProjection,
    events: PersistedEvent[],
    last: Checkpoint,
  ): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      // A read model is derived data: a crash may lose the last commits, but writes and checkpoint together.
      await tx.query('SET LOCAL synchronous_commit = off');
      const [row] = await tx.query(
        `SELECT transaction_id::text AS transaction_id, global_position FROM projection_checkpoints
         WHERE name = $1 FOR UPDATE`,
        [p.name],
      );
      const stored = { transactionId: row.transaction_id, position: Number(row.global_position) };
      if (compareCheckpoints(stored, p.checkpoint) !== 0) {
        p.checkpoint = stored;
        throw new CheckpointMoved();
      }
      const relevant = events.filter((event) => p.types.has(event.type));
      if (relevant.length > 0) await p.handler.apply(relevant, tx);
      await tx.query(
        `UPDATE projection_checkpoints SET transaction_id = $2::xid8, global_position = $3, updated_at = now()
         WHERE name = $1`,
        [p.name, last.transactionId, last.position],
      );
    });
  }

  private async storedCheckpoint(name: string): Promise<Checkpoint> {
    const [row] = await this.dataSource.query(
      'SELECT transaction_id::text AS transaction_id, global_position FROM projection_checkpoints WHERE name = $1',
      [name],
    );
    return row
      ? { transactionId: row.transaction_id, position: Number(row.global_position) }
      : START;
  }
}
