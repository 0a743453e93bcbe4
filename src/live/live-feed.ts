import { AsyncResource } from 'node:async_hooks';
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnModuleInit,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { isDatabaseUnavailable } from '../database/database-errors.js';
import { type Checkpoint, type PersistedEvent, PostgresEventStore } from '../event-store/index.js';
import { HttpProblem } from '../http/problem.js';
import { ACCESS_POLICY, type Access, reachOf, type Role } from '../identity/index.js';
import { compareCheckpoints, ProjectionRunner, reached } from '../projections/index.js';
import { storedEventOf } from '../shared/stored-event.response.js';
import type { Pending } from './live-buffer.js';
import { LiveConnection, type LiveConnectionOptions } from './live-connection.js';
import { type LiveFilter, LiveSubscribers, matches } from './live-filter.js';
import { messageIdOf, type StartRequest, startOf } from './live-position.js';
import { sseMessage } from './sse.js';

/** Events read from the log at once, by the feed and by a catch-up. */
const PAGE = 1000;
/** While commits keep coming, the feed reads again this long after its last read at the soonest. */
const COALESCE_MS = 20;
/** A commit that the read horizon still hides is looked for again this soon. */
const HORIZON_RETRY_MS = 10;
const FAILURE_RETRY_MS = 1000;
/** Seconds a client over a cap is asked to wait. */
const RETRY_AFTER_SECONDS = '5';

export interface Follow extends Pick<LiveConnectionOptions, 'filter' | 'withMetadata'> {
  readonly principalKey: string;
  /** When the caller's token expires (ms since the epoch). */
  readonly until?: number;
  /** After this checkpoint; undefined: from now. */
  readonly start?: Checkpoint;
}

/** Who follows what, from where (`after` and Last-Event-ID as the request sent them). */
export interface FollowRequest extends StartRequest {
  readonly caller: Access;
  readonly filter: LiveFilter;
}

const RAW_EVENTS = ACCESS_POLICY['GET /accounts/{id}/events'];

/** Messages carry metadata for the principals the raw events endpoint shows it to. */
export const showsMetadata = (roles: ReadonlySet<Role>): boolean =>
  RAW_EVENTS !== undefined && RAW_EVENTS !== 'public' && reachOf(RAW_EVENTS, roles) !== undefined;

/**
 * One tail of the global log per process, read once per commit notice and shared by every live subscription; one
 * starting further back reads its own pages until it joins the feed. See
 * docs/architecture.md#live-subscriptions-server-sent-events.
 */
@Injectable()
export class LiveFeed implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(LiveFeed.name);
  /** Outside any request: a read the feed makes for everyone is bounded by no request's database budget. */
  private readonly scope = new AsyncResource('LiveFeed');
  private readonly connections = new Set<LiveConnection>();
  private readonly live = new LiveSubscribers<LiveConnection>();
  private readonly perPrincipal = new Map<string, number>();
  private readonly tasks = new Set<Promise<void>>();
  /** The last event handed to the live subscribers; undefined while nobody follows. */
  private position?: Checkpoint;
  private starting?: Promise<void>;
  /** Moves when the feed stops, so that a read begun before is dropped. */
  private generation = 0;
  private reading = false;
  private again = false;
  /** The newest commit announced: the feed reads until it has it. */
  private target?: Checkpoint;
  private timers: NodeJS.Timeout[] = [];
  private stopNotices?: () => void;
  private closed = false;

  constructor(
    private readonly store: PostgresEventStore,
    private readonly runner: ProjectionRunner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get subscribers(): number {
    return this.connections.size;
  }

  onModuleInit(): void {
    this.stopNotices = this.runner.onCommitNotice((checkpoint) => this.wake(checkpoint));
    this.timers = [
      setInterval(() => this.wake(), this.config.projections.pollMs).unref(),
      setInterval(() => this.heartbeat(), this.config.live.heartbeatMs).unref(),
    ];
  }

  /** Ends every stream, so that the HTTP server can close, and waits for the reads under way. */
  async beforeApplicationShutdown(): Promise<void> {
    this.closed = true;
    this.stopNotices?.();
    for (const timer of this.timers) clearInterval(timer);
    for (const connection of this.connections) connection.end();
    await Promise.all(this.tasks);
  }

  /** A commit here or elsewhere: read the log, up to `checkpoint` at least. */
  wake(checkpoint?: Checkpoint): void {
    if (this.closed || !this.position) return;
    if (checkpoint && !reached(this.position, checkpoint))
      this.target = this.target && reached(this.target, checkpoint) ? this.target : checkpoint;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    this.track(this.scope.runInAsyncScope(() => this.pump()));
  }

  /** Answers a request for a live stream: where it starts (a 400 for a bad id), then `open`. */
  async follow(response: ServerResponse, request: FollowRequest): Promise<void> {
    const { caller, filter } = request;
    const start = await startOf(request, (position) => this.store.checkpointOf(position));
    await this.open(response, {
      filter,
      start,
      principalKey: caller.principal.key,
      until: caller.principal.validUntil,
      withMetadata: showsMetadata(caller.principal.roles),
    });
  }

  /**
   * Opens `response` as an event stream of what `follow` asks for. Refused (before anything is written) over a cap,
   * or when the feed cannot learn where the log ends.
   */
  async open(response: ServerResponse, follow: Follow): Promise<void> {
    const { maxConnections, maxPerPrincipal, bufferEvents, bufferBytes } = this.config.live;
    // The client left while it was admitted (its 'close' is past): counting it would hold its slot for good.
    if (response.destroyed) return;
    if (this.closed || this.connections.size >= maxConnections) throw this.atCapacity();
    const held = this.perPrincipal.get(follow.principalKey) ?? 0;
    if (held >= maxPerPrincipal)
      throw new HttpProblem({
        status: 429,
        code: 'too-many-subscriptions',
        detail: `You have ${held} live subscriptions open, the most one principal may hold; close one first`,
        extensions: { limit: maxPerPrincipal },
        headers: { 'Retry-After': RETRY_AFTER_SECONDS },
      });
    const connection = new LiveConnection(response, {
      ...follow,
      limits: { events: bufferEvents, bytes: bufferBytes },
    });
    this.connections.add(connection);
    this.perPrincipal.set(follow.principalKey, held + 1);
    response.once('close', () => this.remove(connection));
    try {
      await this.start();
    } catch (error) {
      this.remove(connection);
      throw error;
    }
    if (this.closed) {
      this.remove(connection);
      throw this.atCapacity();
    }
    if (connection.closed) return;
    connection.begin();
    this.track(this.scope.runInAsyncScope(() => this.join(connection, follow.start)));
  }

  private atCapacity(): HttpProblem {
    const { maxConnections } = this.config.live;
    const detail = this.closed
      ? 'This instance is shutting down; retry later'
      : `This instance serves ${maxConnections} live subscriptions at most; retry later`;
    return new HttpProblem({
      status: 503,
      code: 'live-capacity-reached',
      detail,
      headers: { 'Retry-After': RETRY_AFTER_SECONDS },
    });
  }

  private start(): Promise<void> {
    if (this.position) return Promise.resolve();
    if (!this.starting) {
      const generation = this.generation;
      this.starting = this.store.lastCheckpoint().then(
        (checkpoint) => {
          if (generation !== this.generation) return;
          this.position = checkpoint;
          this.wake();
        },
        (error: unknown) => {
          if (generation === this.generation) this.starting = undefined;
          throw error;
        },
      );
    }
    return this.starting;
  }

  /** Nobody follows any more: the feed stops reading, and starts from the end of the log next time. */
  private stop(): void {
    this.generation += 1;
    this.position = undefined;
    this.starting = undefined;
    this.target = undefined;
  }

  private remove(connection: LiveConnection): void {
    if (!this.connections.delete(connection)) return;
    this.live.delete(connection);
    const held = (this.perPrincipal.get(connection.principalKey) ?? 1) - 1;
    if (held > 0) this.perPrincipal.set(connection.principalKey, held);
    else this.perPrincipal.delete(connection.principalKey);
    if (this.connections.size === 0) this.stop();
  }

  /** Reads the log to its end (as the read horizon allows), as many times as commits are announced meanwhile. */
  private async pump(): Promise<void> {
    const generation = this.generation;
    try {
      do {
        this.again = false;
        while (generation === this.generation && (await this.readPage(generation)) === PAGE);
        // Commits keep coming: let a few more gather, so a busy log costs one read per batch, not per commit.
        if (this.again) await sleep(COALESCE_MS);
      } while (this.again && generation === this.generation && !this.closed);
    } catch (error) {
      const line = `Live feed: reading the log failed (${String(error)}); retrying`;
      if (isDatabaseUnavailable(error)) this.logger.debug(line);
      else this.logger.warn(line);
      setTimeout(() => this.wake(), FAILURE_RETRY_MS).unref();
    } finally {
      this.reading = false;
    }
    // A commit announced while a read of the feed stopped before was under way.
    if (this.again) return this.wake();
    if (this.target && this.position && !reached(this.position, this.target))
      setTimeout(() => this.wake(), HORIZON_RETRY_MS).unref();
    else this.target = undefined;
  }

  /** One page after the feed's position, handed to the live subscribers; how many events it held. */
  private async readPage(generation: number): Promise<number> {
    const page = await this.store.readAll({ after: this.position, limit: PAGE });
    if (page.length === 0 || generation !== this.generation) return 0;
    const events = await this.store.decryptPersonalData(page);
    if (generation !== this.generation) return 0;
    const touched = new Set<LiveConnection>();
    for (const event of events) {
      const messages = new Messages(event);
      this.live.forEachMatching(event, (connection) => {
        if (connection.skipUntil) {
          if (!reached(connection.skipUntil, event.checkpoint)) connection.skipUntil = undefined;
          else return;
        }
        if (!touched.has(connection)) {
          // Still holding more than its limits from the pages before: it does not keep up.
          if (connection.behind) {
            connection.overflow();
            this.live.delete(connection);
            return;
          }
          touched.add(connection);
        }
        connection.queue(messages.for(connection));
      });
    }
    for (const connection of touched) connection.flush();
    this.position = page[page.length - 1].checkpoint;
    return page.length;
  }

  /**
   * Brings a new subscriber to the feed's position with reads of its own, paced by its client, then hands it to the
   * feed. Only events at or before the feed's position are sent here, and the feed sends only those after it.
   */
  private async join(connection: LiveConnection, start: Checkpoint | undefined): Promise<void> {
    let cursor = start;
    try {
      const streamId = connection.filter.stream;
      while (!connection.closed && cursor && !reached(cursor, this.position!)) {
        // Taken before the read: every event up to it is visible to the read (the horizon only moves forward).
        const position = this.position!;
        const page = await this.store.readAll({ after: cursor, limit: PAGE, streamId });
        const wanted = await this.store.decryptPersonalData(
          page.filter((event) => matches(connection.filter, event)),
        );
        if (connection.closed) return;
        let next = 0;
        for (const event of page) {
          if (!reached(position, event.checkpoint)) break;
          cursor = event.checkpoint;
          if (wanted[next]?.eventId === event.eventId)
            connection.queue(new Messages(wanted[next++]).for(connection));
        }
        connection.flush();
        // One stream's read came back short: it has nothing more up to the feed's position.
        if (streamId !== undefined && page.length < PAGE && !reached(cursor, position))
          cursor = position;
        else if (page.length === 0 && !reached(cursor, position)) await sleep(HORIZON_RETRY_MS);
        await connection.drained();
      }
    } catch (error) {
      this.logger.warn(`Live subscription: catching up failed (${String(error)}); closing it`);
      connection.end();
      return;
    }
    if (connection.closed) return;
    // Past the feed (a start it has not read yet): what it reads up to the start is not sent.
    if (cursor && compareCheckpoints(cursor, this.position!) > 0) connection.skipUntil = cursor;
    this.live.add(connection);
  }

  private heartbeat(): void {
    for (const connection of this.connections) connection.heartbeat();
  }

  private track(task: Promise<void>): void {
    const tracked = task.finally(() => this.tasks.delete(tracked));
    this.tasks.add(tracked);
  }
}

/** An event's message, made once for each shape the subscribers need (with or without metadata). */
class Messages {
  private withMetadata?: Pending;
  private withoutMetadata?: Pending;

  constructor(private readonly event: PersistedEvent) {}

  for(connection: LiveConnection): Pending {
    return connection.withMetadata
      ? (this.withMetadata ??= this.make(true))
      : (this.withoutMetadata ??= this.make(false));
  }

  private make(withMetadata: boolean): Pending {
    const stored = storedEventOf(this.event);
    const { metadata: _metadata, ...withoutMetadata } = stored;
    const data = JSON.stringify(withMetadata ? stored : withoutMetadata);
    return sseMessage(messageIdOf(this.event.globalPosition), this.event.type, data);
  }
}
