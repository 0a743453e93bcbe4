import type pg from 'pg';
import { DatabaseUnavailable, isDatabaseUnavailable } from './database-errors.js';

type ConnectCallback = (
  error: Error | undefined,
  client: pg.PoolClient | undefined,
  release: (error?: Error | boolean) => void,
) => void;

/**
 * How long one request may wait for the database: DATABASE_TIMEOUT_MS from its start, read-model waits excluded.
 * Kept on the request, not in an AsyncLocalStorage (a hook on every promise: a quarter of a deposit's CPU). See
 * docs/architecture.md#database-outages-bounded-waits-one-line-each-way.
 */
export class DatabaseBudget {
  /** Rejects with DatabaseUnavailable when the budget runs out. */
  readonly expired: Promise<never>;
  private expire!: (error: DatabaseUnavailable) => void;
  private open = true;
  private didRunOut = false;
  private readonly started = Date.now();
  private pausedMs = 0;
  private pauses = 0;
  private pausedSince = 0;
  private timer?: NodeJS.Timeout;

  /** The answer must be sent within the limit: stop waiting a little before it (a tenth, at most 250 ms). */
  private readonly waitMs: number;

  /** `answering`: the answer has begun (a stream's headers are out): from then on nothing is bounded. */
  constructor(
    private readonly limitMs: number,
    private readonly answering: () => boolean = () => false,
  ) {
    this.waitMs = limitMs - Math.min(250, Math.floor(limitMs / 10));
    this.expired = new Promise<never>((_, reject) => (this.expire = reject));
    this.expired.catch(() => {});
    this.arm();
  }

  /** It ran out before the answer began: the request has been answered 503. */
  get ranOut(): boolean {
    return this.didRunOut;
  }

  close(): void {
    this.open = false;
    clearTimeout(this.timer);
  }

  /** The time until `waited` settles (a wait for a read model) is not counted. */
  async paused<T>(waited: Promise<T>): Promise<T> {
    if (this.pauses++ === 0) {
      this.pausedSince = Date.now();
      clearTimeout(this.timer);
    }
    try {
      return await waited;
    } finally {
      if (--this.pauses === 0) {
        this.pausedMs += Date.now() - this.pausedSince;
        this.arm();
      }
    }
  }

  private arm(): void {
    clearTimeout(this.timer);
    if (!this.open || this.pauses > 0) return;
    const left = this.started + this.waitMs + this.pausedMs - Date.now();
    this.timer = setTimeout(() => this.runOut(), Math.max(0, left)).unref();
  }

  private runOut(): void {
    if (!this.open) return;
    this.open = false;
    if (this.answering()) return;
    this.didRunOut = true;
    this.expire(
      new DatabaseUnavailable(
        `The database did not answer within DATABASE_TIMEOUT_MS (${this.limitMs} ms)`,
      ),
    );
  }
}

/** Ends the connection at once: its query in flight fails, and a pool drops it when it is released. */
export function destroyConnection(client: pg.ClientBase, error?: Error): void {
  (
    client as unknown as { connection?: { stream?: { destroy(e?: Error): void } } }
  ).connection?.stream?.destroy(error);
}

/** What the pool reports to, and asks before anyone waits for it: DatabaseHealth. */
export interface HealthWatch {
  readonly state: { status: 'up' | 'down' };
  suspect(error: unknown, what: string): void;
  /** Called when an outage is declared, and again each time a look finds the database still not answering. */
  onOutage(listener: () => void): void;
}

/**
 * Guards a pool by DatabaseHealth: during an outage a connection is refused at once and every query in flight is
 * ended, since on a frozen server it would hang until query_timeout holding its connection. Failed connects are
 * reported. See docs/architecture.md#database-outages-bounded-waits-one-line-each-way.
 */
export function guardedByHealth(pool: pg.Pool, health: HealthWatch): void {
  const checkedOut = new Set<pg.PoolClient>();
  health.onOutage(() => {
    const error = down();
    for (const client of checkedOut) if (inFlight(client)) destroyConnection(client, error);
  });
  const connect = pool.connect.bind(pool) as unknown as (callback: ConnectCallback) => void;
  const watched = (callback: ConnectCallback): ConnectCallback => {
    return (error, client, release) => {
      if (error && isDatabaseUnavailable(error))
        health.suspect(error, 'A database connection failed');
      if (!client) return callback(error, client, release);
      checkedOut.add(client);
      // A query given up on client-side (pg's query_timeout) is still in flight: the connection is not reused.
      const checked = (releaseError?: Error | boolean) => {
        checkedOut.delete(client);
        release(releaseError || (inFlight(client) ? new Error('released mid-query') : undefined));
      };
      client.release = checked;
      callback(error, client, checked);
    };
  };
  pool.connect = ((callback?: ConnectCallback) => {
    let result: Promise<pg.PoolClient> | undefined;
    let done = callback;
    if (!done) {
      result = new Promise<pg.PoolClient>((resolve, reject) => {
        done = (error, client) => (error ? reject(error) : resolve(client!));
      });
    }
    if (health.state.status === 'down') {
      const refused = done!;
      process.nextTick(() => refused(down(), undefined, () => {}));
    } else connect(watched(done!));
    return result;
  }) as typeof pool.connect;
}

function inFlight(client: pg.PoolClient): boolean {
  return Boolean((client as unknown as { _getActiveQuery?: () => unknown })._getActiveQuery?.());
}

const down = () =>
  new DatabaseUnavailable('The database is down (DatabaseHealth): not waiting for it');
