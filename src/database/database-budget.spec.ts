import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { boundByRequestBudgets, DatabaseBudget, type HealthWatch } from './database-budget.js';
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

const healthy = (): HealthWatch & { suspected: unknown[] } => {
  const suspected: unknown[] = [];
  return {
    state: { status: 'up' },
    suspected,
    suspect: (error) => suspected.push(error),
  };
};

describe('DatabaseBudget', () => {
  it('destroys the connections a request still holds when its time is up, and rejects', async () => {
    const { pool, destroyed } = fakePool();
    boundByRequestBudgets(pool, healthy());
    const budget = new DatabaseBudget(200);
    const client = await budget.run(() => pool.connect());
    await expect(budget.expired).rejects.toBeInstanceOf(DatabaseUnavailable);
    expect(destroyed).toEqual([client]);
    // Later connections fail at once, until the request is answered.
    await expect(budget.run(() => pool.connect())).rejects.toBeInstanceOf(DatabaseUnavailable);
  });

  it('fails a wait for a connection when its time is up', async () => {
    const { pool, released } = fakePool(400);
    boundByRequestBudgets(pool, healthy());
    const budget = new DatabaseBudget(200);
    const started = Date.now();
    await expect(budget.run(() => pool.connect())).rejects.toBeInstanceOf(DatabaseUnavailable);
    expect(Date.now() - started).toBeLessThan(350);
    await sleep(300);
    expect(released).toEqual(['ok']); // the connection that came too late went back unused
  });

  it('does not count a wait for a read model (consistentWith)', async () => {
    const { pool, destroyed } = fakePool();
    boundByRequestBudgets(pool, healthy());
    const budget = new DatabaseBudget(200);
    let expired = false;
    budget.expired.catch(() => (expired = true));
    await budget.paused(sleep(300));
    const client = await budget.run(() => pool.connect());
    await sleep(50);
    client.release();
    budget.close();
    await sleep(200);
    expect({ expired, destroyed }).toEqual({ expired: false, destroyed: [] });
  });

  it('is refused a connection at once while the database is down', async () => {
    const { pool } = fakePool(1000);
    boundByRequestBudgets(pool, { state: { status: 'down' }, suspect: () => {} });
    const started = Date.now();
    await expect(new DatabaseBudget(5000).run(() => pool.connect())).rejects.toThrow(
      /The database is down/,
    );
    expect(Date.now() - started).toBeLessThan(100);
  });

  it('never hands on a connection whose query is still in flight (given up on by query_timeout)', async () => {
    const { pool, released } = fakePool(0, { text: 'SELECT pg_sleep(60)' });
    boundByRequestBudgets(pool, healthy());
    (await pool.connect()).release();
    expect(released).toEqual([new Error('released mid-query')]);
  });

  it('leaves work outside a request (or after its answer) unbounded', async () => {
    const { pool, destroyed } = fakePool();
    boundByRequestBudgets(pool, healthy());
    const budget = new DatabaseBudget(100);
    budget.close();
    await budget.run(() => pool.connect());
    await pool.connect();
    await sleep(200);
    expect(destroyed).toEqual([]);
  });
});
