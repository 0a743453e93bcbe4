import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';
import { DatabaseUnavailable, isDatabaseUnavailable } from './database-errors.js';

type ConnectCallback = (
  error: Error | undefined,
  client: pg.PoolClient | undefined,
  release: (error?: Error | boolean) => void,
) => void;

const budgets = new AsyncLocalStorage<DatabaseBudget>();

/**
 * How long one request may wait for the database: DATABASE_TIMEOUT_MS from its start, not counting the time it
 * waits for a read model (`paused`: consistentWith has its own bound). When it runs out while the request
 * holds or waits for a pooled connection, those connections are destroyed (a query stuck on a frozen socket
 * fails at once and its connection leaves the pool), the waits fail, and `expired` rejects; a connection asked
 * for later fails at once. Once the request is answered (`close`), anything still running in its async context
 * (a projection it woke, say) is background work, unbounded.
 */
export class DatabaseBudget {
  /** Rejects with DatabaseUnavailable when the budget runs out. */
  readonly expired: Promise<never>;
  private expire!: (error: DatabaseUnavailable) => void;
  private error?: DatabaseUnavailable;
  private open = true;
  private readonly started = Date.now();
  private pausedMs = 0;
  private pauses = 0;
  private pausedSince = 0;
  private waits = 0;
  private timer?: NodeJS.Timeout;
  private readonly clients = new Set<pg.PoolClient>();
  private readonly waiting = new Set<(error: DatabaseUnavailable) => void>();

  /** The answer must be sent within the limit: stop waiting a little before it (a tenth, at most 250 ms). */
  private readonly waitMs: number;

  constructor(private readonly limitMs: number) {
    this.waitMs = limitMs - Math.min(250, Math.floor(limitMs / 10));
    this.expired = new Promise<never>((_, reject) => (this.expire = reject));
    this.expired.catch(() => {});
  }

  static current(): DatabaseBudget | undefined {
    const budget = budgets.getStore();
    return budget?.open ? budget : undefined;
  }

  run<T>(fn: () => T): T {
    return budgets.run(this, fn);
  }

  close(): void {
    this.open = false;
    clearTimeout(this.timer);
  }

  /** The time until `waited` settles (a wait for a read model) is not counted; a query meanwhile gets the whole limit. */
  async paused<T>(waited: Promise<T>): Promise<T> {
    if (this.pauses++ === 0) {
      this.pausedSince = Date.now();
      this.arm();
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

  /**
   * Waits for `waited` as for the database (a turn behind another command on the same aggregate, whose queries
   * may be stuck too): counted, and given up on with DatabaseUnavailable when the budget runs out.
   */
  waitFor<T>(waited: Promise<T>): Promise<T> {
    if (this.error) return Promise.reject(this.error);
    const finished = this.begin();
    return new Promise<T>((resolve, reject) => {
      const giveUp = (error: unknown) => {
        if (!this.waiting.delete(giveUp)) return;
        finished();
        reject(error);
      };
      this.waiting.add(giveUp);
      waited.then((value) => {
        if (!this.waiting.delete(giveUp)) return;
        finished();
        resolve(value);
      }, giveUp);
    });
  }

  /** Answers `done` with `error` at once: the request gets no connection and waits for none. */
  refuse(error: DatabaseUnavailable, done: ConnectCallback): void {
    process.nextTick(() => done(error, undefined, () => {}));
  }

  /** pool.connect within this budget; `connect` is the pool's own. */
  acquire(connect: (callback: ConnectCallback) => void, done: ConnectCallback): void {
    if (this.error) return this.refuse(this.error, done);
    const finished = this.begin();
    let settled = false;
    const giveUp = (error: DatabaseUnavailable) => {
      if (settled) return;
      settled = true;
      this.waiting.delete(giveUp);
      finished();
      done(error, undefined, () => {});
    };
    this.waiting.add(giveUp);
    connect((error, client, release) => {
      if (settled) {
        // The budget ran out while waiting: the connection goes back unused.
        if (client) release();
        return;
      }
      settled = true;
      this.waiting.delete(giveUp);
      if (error || !client) {
        finished();
        done(error, undefined, release);
        return;
      }
      this.clients.add(client);
      let released = false;
      const bounded = (releaseError?: Error | boolean) => {
        if (!released) {
          released = true;
          this.clients.delete(client);
          finished();
        }
        release(releaseError);
      };
      client.release = bounded;
      done(undefined, client, bounded);
    });
  }

  /** Starts a wait for the database; the returned function ends it. */
  private begin(): () => void {
    if (this.waits++ === 0) this.arm();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      if (--this.waits === 0) this.arm();
    };
  }

  /** The timer runs while the request waits for the database: to its deadline, or the whole limit while paused. */
  private arm(): void {
    clearTimeout(this.timer);
    if (!this.open || this.waits === 0 || this.error) return;
    const left =
      this.pauses > 0 ? this.waitMs : this.started + this.waitMs + this.pausedMs - Date.now();
    this.timer = setTimeout(() => this.runOut(), Math.max(0, left)).unref();
  }

  private runOut(): void {
    if (!this.open || this.error) return;
    const error = new DatabaseUnavailable(
      `The database did not answer within DATABASE_TIMEOUT_MS (${this.limitMs} ms)`,
    );
    this.error = error;
    for (const client of this.clients) destroyConnection(client, error);
    for (const giveUp of [...this.waiting]) giveUp(error);
    this.expire(error);
  }
}

/** Ends the connection at once: its query in flight fails, and a pool drops it when it is released. */
export function destroyConnection(client: pg.ClientBase, error?: Error): void {
  (
    client as unknown as { connection?: { stream?: { destroy(e?: Error): void } } }
  ).connection?.stream?.destroy(error);
}

/** What the pool reports to, and asks before a request waits for it: DatabaseHealth. */
export interface HealthWatch {
  readonly state: { status: 'up' | 'down' };
  suspect(error: unknown, what: string): void;
}

/**
 * Makes a pool's connections answer to the budget of the request that takes them; while the database is down
 * (DatabaseHealth's probe got no answer) a request is refused a connection at once rather than wait for it.
 * Every connection attempt that fails for a reason an outage would explain is reported.
 */
export function boundByRequestBudgets(pool: pg.Pool, health: HealthWatch): void {
  const connect = pool.connect.bind(pool) as unknown as (callback: ConnectCallback) => void;
  const watched = (callback: ConnectCallback): ConnectCallback => {
    return (error, client, release) => {
      if (error && isDatabaseUnavailable(error))
        health.suspect(error, 'A database connection failed');
      if (!client) return callback(error, client, release);
      // A query given up on client-side (pg's query_timeout) is still in flight: the connection is not reused.
      const checked = (releaseError?: Error | boolean) =>
        release(releaseError || (inFlight(client) ? new Error('released mid-query') : undefined));
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
    const budget = DatabaseBudget.current();
    if (!budget) connect(watched(done!));
    else if (health.state.status === 'down') budget.refuse(down(), done!);
    else budget.acquire((cb) => connect(watched(cb)), done!);
    return result;
  }) as typeof pool.connect;
}

function inFlight(client: pg.PoolClient): boolean {
  return Boolean((client as unknown as { _getActiveQuery?: () => unknown })._getActiveQuery?.());
}

const down = () =>
  new DatabaseUnavailable('The database is down (DatabaseHealth): not waiting for it');
