import { Logger } from '@nestjs/common';
import pg from 'pg';
import type { DatabaseTimeouts } from '../config/config.js';
import { destroyConnection } from './database-budget.js';
import { describeDatabaseError } from './database-errors.js';
import { sessionOptions } from './database.options.js';

export type DatabaseState = { status: 'up' } | { status: 'down'; since: Date; reason: string };

/** At most one "it still answers" line per this long: a burst of lost connections is one event. */
const QUIET_MS = 10_000;

/**
 * Whether the database answers: a failure an outage would explain makes it probe on a connection of its own; one
 * line when an outage starts, one when it ends. See
 * docs/architecture.md#database-outages-bounded-waits-one-line-each-way.
 */
export class DatabaseHealth {
  private readonly logger = new Logger('Database');
  private current: DatabaseState = { status: 'up' };
  private probing = false;
  private timer?: NodeJS.Timeout;
  private lastQuietLine = 0;
  private closed = false;
  /** When the database last answered something (a new session, a query): a probe begun earlier is stale. */
  private lastAnswerAt = 0;
  private readonly outageListeners: Array<() => void> = [];

  constructor(
    private readonly url: string,
    private readonly timeouts: DatabaseTimeouts,
  ) {}

  get state(): DatabaseState {
    return this.current;
  }

  /** `listener` runs when an outage is declared, and after every look that finds the database still down. */
  onOutage(listener: () => void): void {
    this.outageListeners.push(listener);
  }

  /** Something failed as an outage would make it fail (`what`, for the log): find out whether the database answers. */
  suspect(error: unknown, what = 'A database operation failed'): void {
    if (this.closed || this.probing || this.current.status === 'down') return;
    this.probing = true;
    const probedAt = Date.now();
    void this.answers().then((answers) => {
      this.probing = false;
      if (this.closed) return;
      const reason = describeDatabaseError(error);
      // The database answered while this probe waited (a freeze that ended): no outage to declare.
      if (!answers && this.lastAnswerAt < probedAt) {
        this.current = { status: 'down', since: new Date(probedAt), reason };
        this.logger.warn(
          `Database unavailable (${reason}): requests answer 503 database-unavailable until it answers again`,
        );
        this.stillDown();
        this.schedule();
      } else if (Date.now() - this.lastQuietLine >= QUIET_MS) {
        this.lastQuietLine = Date.now();
        this.logger.warn(`${what} (${reason}); the database still answers`);
      }
    });
  }

  /** The database answered (a session opened, a query returned): an outage, if one was declared, is over. */
  answered(): void {
    this.lastAnswerAt = Date.now();
    if (this.current.status === 'down') this.recovered();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    const interval = Math.min(1000, this.timeouts.timeoutMs);
    this.timer = setTimeout(() => void this.lookAgain(), interval).unref();
  }

  private async lookAgain(): Promise<void> {
    if (this.closed || this.current.status !== 'down') return;
    if (!(await this.answers())) {
      if (this.closed) return;
      this.stillDown();
      this.schedule();
      return;
    }
    if (!this.closed) this.recovered();
  }

  private stillDown(): void {
    for (const listener of this.outageListeners) listener();
  }

  private recovered(): void {
    if (this.current.status !== 'down') return;
    clearTimeout(this.timer);
    const seconds = ((Date.now() - this.current.since.getTime()) / 1000).toFixed(1);
    this.current = { status: 'up' };
    this.logger.warn(`Database available again after ${seconds} s`);
  }

  /** `SELECT 1` on a new connection (not a pooled one, which may be stuck), within DATABASE_TIMEOUT_MS. */
  private async answers(): Promise<boolean> {
    const { timeoutMs } = this.timeouts;
    const client = new pg.Client({
      connectionString: this.url,
      ...sessionOptions({ ...this.timeouts, connectTimeoutMs: timeoutMs }),
      application_name: 'chronicle health',
      query_timeout: timeoutMs,
    });
    // A connection that fails emits 'error' too; the failure is what connect or query reject with.
    client.on('error', () => {});
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs).unref();
    });
    const probe = (async () => {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    })().catch(() => false);
    const answered = await Promise.race([probe, deadline]);
    clearTimeout(timer);
    // A frozen server would never see a polite end: the socket goes.
    if (answered) void client.end().catch(() => {});
    else destroyConnection(client);
    return answered;
  }
}
