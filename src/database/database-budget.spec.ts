import { jest } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { DatabaseBudget, guardedByHealth, type HealthWatch } from './database-budget.js';
import { DatabaseUnavailable } from './database-errors.js';

/** A pool whose connect hands out a client after `delayMs`; a client knows whether its socket was destroyed. */
function fakePool(delayMs = 0, activeQuery?: object) {
  const destroyed: unknown[] = [];
  const released: unknown[] = [];
  const pool = {
    connect(callback: (e: Error | undefined, c: unknown, r: (e?: unknown) => void) => void) {
      const client = {
        connection: { stream: { destroy: () => destroyed.push(client) } },
        _getActiveQuery: () => activeQuery,
        release: (error?: unknown) => released.push(error ?? 'ok'),
      };
      setTimeout(() => callback(undefined, client, client.release), delayMs);
    },
  } as unknown as pg.Pool;
  return { pool, destroyed, released };
}

function watch(status: 'up' | 'down' = 'up') {
  const listeners: Array<() => void> = [];
  const health: HealthWatch & { outage(): void } = {
    state: { status },
    suspect: () => {},
    onOutage: (listener) => listeners.push(listener),
    outage: () => listeners.forEach((listener) => listener()),
  };
  return health;
}

describe('DatabaseBudget', () => {
  it('rejects when its time is up: a little before the limit, to answer within it', async () => {
    const budget = new DatabaseBudget(1000);
    const started = Date.now();
    await expect(budget.expired).rejects.toBeInstanceOf(DatabaseUnavailable);
    // The timer is set for 900 ms; a loaded machine may fire it late, never early.
    expect(Date.now() - started).toBeGreaterThanOrEqual(890);
  });

  it('does not count a wait for a read model (consistentWith)', async () => {
    // A frozen clock: a real 50 ms sleep on a busy machine can outlast what is left of the budget.
    jest.useFakeTimers();
    try {
      const budget = new DatabaseBudget(200); // gives up at 180 ms
      let expired = false;
      budget.expired.catch(() => (expired = true));
      let answered!: () => void;
      const waited = budget.paused(new Promise<void>((resolve) => (answered = resolve)));
      jest.advanceTimersByTime(300);
      answered();
      await waited;
      jest.advanceTimersByTime(170);
      await Promise.resolve();
      expect(expired).toBe(false);
      jest.advanceTimersByTime(10);
      await expect(budget.expired).rejects.toBeInstanceOf(DatabaseUnavailable);
    } finally {
      jest.useRealTimers();
    }
  });

  it('bounds nothing once the request is answered, or once its answer has begun (a stream)', async () => {
    const closed = new DatabaseBudget(100);
    closed.close();
    const streaming = new DatabaseBudget(100, () => true);
    const settled: string[] = [];
    closed.expired.catch(() => settled.push('closed'));
    streaming.expired.catch(() => settled.push('streaming'));
    await sleep(200);
    expect(settled).toEqual([]);
  });
});

describe('guardedByHealth', () => {
  it('refuses a connection at once while the database is down', async () => {
    const { pool } = fakePool(10_000);
    guardedByHealth(pool, watch('down'));
    const started = Date.now();
    await expect(pool.connect()).rejects.toThrow(/The database is down/);
    // At once: not after the ten seconds the pool would take to hand out a connection (the margin is for a loaded
    // machine: 573 ms was seen against a bound of 500).
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('ends the queries in flight on its connections when an outage is declared, not the idle ones', async () => {
    const busy = fakePool(0, { text: 'SELECT pg_sleep(60)' });
    const idle = fakePool(0);
    const busyHealth = watch();
    const idleHealth = watch();
    guardedByHealth(busy.pool, busyHealth);
    guardedByHealth(idle.pool, idleHealth);
    const stuck = await busy.pool.connect();
    const between = await idle.pool.connect();
    busyHealth.outage();
    idleHealth.outage();
    expect(busy.destroyed).toEqual([stuck]);
    expect(idle.destroyed).toEqual([]);
    // A connection given back is no longer the pool's to end.
    between.release();
    idleHealth.outage();
    expect(idle.destroyed).toEqual([]);
  });

  it('never hands on a connection whose query is still in flight (given up on by query_timeout)', async () => {
    const { pool, released } = fakePool(0, { text: 'SELECT pg_sleep(60)' });
    guardedByHealth(pool, watch());
    (await pool.connect()).release();
    expect(released).toEqual([new Error('released mid-query')]);
  });
});
