import { Logger } from '@nestjs/common';
import type pg from 'pg';
import { isDatabaseUnavailable } from '../database/database-errors.js';

/** First key of every advisory lock Chronicle takes; the second is hashtext of the projection's name. */
export const LEASE_LOCK_SPACE = 0x43484c01; // 'CHL' 1: projection leases
export const REBUILD_LOCK_SPACE = 0x43484c02; // 'CHL' 2: one rebuild per projection

export const EVENTS_CHANNEL = 'chronicle_events';
export const CONTROL_CHANNEL = 'chronicle_projections';

export interface LeaseEvents {
  acquired(name: string): void;
  lost(name: string): void;
  notified(channel: string, payload: string): void;
}

/**
 * Session advisory locks on one connection, which also LISTENs: they end with it, so a standby takes over.
 * See docs/architecture.md#projections.
 */
export class Leases {
  private readonly logger = new Logger('ProjectionLeases');
  private client?: pg.PoolClient;
  private readonly held = new Set<string>();
  private timer?: NodeJS.Timeout;
  private closed = false;
  private acquiring?: Promise<void>;

  constructor(
    private readonly pool: pg.Pool,
    private readonly names: readonly string[],
    private readonly instance: string,
    private readonly retryMs: number,
    private readonly events: LeaseEvents,
  ) {}

  holds(name: string): boolean {
    return this.held.has(name);
  }

  async start(): Promise<void> {
    await this.tryAcquire();
    this.timer = setInterval(() => void this.tryAcquire(), this.retryMs).unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.acquiring;
    const client = this.client;
    this.client = undefined;
    for (const name of [...this.held]) this.release(name);
    // Ending the session frees every advisory lock at once; a pooled client is destroyed, not reused.
    client?.release(true);
  }

  private tryAcquire(): Promise<void> {
    if (this.closed || this.acquiring) return this.acquiring ?? Promise.resolve();
    this.acquiring = this.acquire()
      .catch((error) => this.connectionLost(error))
      .finally(() => (this.acquiring = undefined));
    return this.acquiring;
  }

  private async acquire(): Promise<void> {
    const client = this.client ?? (await this.connect());
    const wanted = this.names.filter((name) => !this.held.has(name));
    if (wanted.length === 0) return;
    const { rows } = await client.query<{ name: string; locked: boolean }>(
      `SELECT name, pg_try_advisory_lock($1, hashtext(name)) AS locked FROM unnest($2::text[]) AS name`,
      [LEASE_LOCK_SPACE, wanted],
    );
    for (const { name, locked } of rows) {
      if (!locked || this.closed) continue;
      this.held.add(name);
      this.events.acquired(name);
    }
  }

  private async connect(): Promise<pg.PoolClient> {
    const client = await this.pool.connect();
    client.on('error', (error) => this.connectionLost(error));
    client.on('notification', (message) =>
      this.events.notified(message.channel, message.payload ?? ''),
    );
    await client.query(`SELECT set_config('application_name', $1, false)`, [
      `chronicle ${this.instance}`.slice(0, 63),
    ]);
    await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    await client.query(`LISTEN ${CONTROL_CHANNEL}`);
    this.client = client;
    return client;
  }

  private connectionLost(error: unknown): void {
    if (this.closed) return;
    const client = this.client;
    this.client = undefined;
    if (this.held.size > 0) {
      const line =
        `Lease connection lost (${error instanceof Error ? error.message : String(error)}): ` +
        `releasing ${[...this.held].join(', ')}`;
      // In an outage DatabaseHealth logs once for every connection lost.
      if (isDatabaseUnavailable(error)) this.logger.debug(line);
      else this.logger.warn(line);
    }
    for (const name of [...this.held]) this.release(name);
    client?.release(true);
  }

  private release(name: string): void {
    this.held.delete(name);
    this.events.lost(name);
  }
}
