import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { migratedPool, storeOn } from '../../test/support/database.js';
import { ConcurrencyError } from './event-store.errors.js';
import type { NewEvent } from './event-store.types.js';
import type { PostgresEventStore } from './postgres-event-store.js';

const noted = (n: number): NewEvent => ({ type: 'Noted', data: { n } });
const stream = () => `noted-${randomUUID()}`;

/** Counts what the store asks of its pool: a new connection, and a statement (one checkout each). */
function watched(pool: pg.Pool) {
  const seen = { connections: 0, checkouts: 0 };
  pool.on('connect', () => seen.connections++);
  pool.on('acquire', () => seen.checkouts++);
  return seen;
}

describe('appends under contention', () => {
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let seen: ReturnType<typeof watched>;

  beforeAll(async () => {
    pool = await migratedPool(10);
    seen = watched(pool);
    store = storeOn(pool, 'Noted');
  });
  afterAll(() => pool.end());

  const versionsOf = async (streamId: string) =>
    (
      await pool.query<{ v: number }>(
        'SELECT stream_version AS v FROM events WHERE stream_id = $1 ORDER BY global_position',
        [streamId],
      )
    ).rows.map((r) => r.v);

  it('answers a conflict with the head from the one statement it ran, and keeps the connection', async () => {
    const id = stream();
    await store.append(id, [noted(1), noted(2)]);
    await store.append(id, [noted(3)]); // every connection the pool will need is open by now
    const before = { ...seen };

    const error = await store.append(id, [noted(4)], { expectedVersion: 1 }).catch((e) => e);

    expect(error).toBeInstanceOf(ConcurrencyError);
    expect(error).toMatchObject({ expectedVersion: 1, actualVersion: 3 });
    expect(seen.checkouts - before.checkouts).toBe(1);
    expect(seen.connections - before.connections).toBe(0);
  });

  it('lets 8 writers of one stream race with expected versions and retries on no new connections', async () => {
    const id = stream();
    await store.append(id, [noted(0)]);
    const opened = seen.connections;
    let conflicts = 0;
    const writer = async (w: number) => {
      for (let n = 0; n < 25; n++) {
        for (;;) {
          const version = await store.streamVersion(id);
          try {
            await store.append(id, [noted(w * 100 + n)], { expectedVersion: version });
            break;
          } catch (error) {
            if (!(error instanceof ConcurrencyError)) throw error;
            conflicts++;
          }
        }
      }
    };

    await Promise.all(Array.from({ length: 8 }, (_, w) => writer(w)));

    expect(await versionsOf(id)).toEqual(Array.from({ length: 201 }, (_, i) => i + 1));
    expect(conflicts).toBeGreaterThan(0);
    // The pool grows to its size at most; a conflict never costs a connection.
    expect(seen.connections - opened).toBeLessThanOrEqual(10);
  });

  it('commits concurrent appends to different streams together, each with its own expectation', async () => {
    const ids = Array.from({ length: 40 }, stream);
    await Promise.all(ids.map((id) => store.append(id, [noted(1)])));
    const before = seen.checkouts;

    // Every fourth expects a version its stream is not at: only those fail.
    const results = await Promise.allSettled(
      ids.map((id, i) =>
        store.append(id, [noted(2), noted(3)], { expectedVersion: i % 4 === 0 ? 7 : 1 }),
      ),
    );

    const statements = seen.checkouts - before;
    expect(statements).toBeLessThan(ids.length / 2);
    for (const [i, result] of results.entries()) {
      if (i % 4 === 0) {
        expect(result).toMatchObject({ status: 'rejected', reason: { actualVersion: 1 } });
        expect(await versionsOf(ids[i])).toEqual([1]);
      } else {
        expect(result).toMatchObject({ status: 'fulfilled', value: { version: 3 } });
        expect(await versionsOf(ids[i])).toEqual([1, 2, 3]);
      }
    }
  });

  it('fails only the append whose event id is taken when it shares a statement with others', async () => {
    const taken = stream();
    const first = await store.append(taken, [noted(1)]);
    const others = Array.from({ length: 10 }, stream);

    const [reused, ...rest] = await Promise.allSettled([
      store.append(taken, [noted(2), { ...noted(3), eventId: first.events[0].eventId }]),
      ...others.map((id) => store.append(id, [noted(1)])),
    ]);

    expect(reused.status).toBe('rejected');
    expect(rest.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(await versionsOf(taken)).toEqual([1]);
  });

  it('repairs a head that rows written around the store left behind', async () => {
    const id = stream();
    await pool.query(
      `INSERT INTO events (stream_id, stream_version, event_id, type, data)
       VALUES ($1, 1, gen_random_uuid(), 'Noted', '{}'), ($1, 2, gen_random_uuid(), 'Noted', '{}')`,
      [id],
    );

    await expect(store.append(id, [noted(3)], { expectedVersion: 2 })).resolves.toMatchObject({
      version: 3,
    });
    await expect(store.append(id, [noted(4)])).resolves.toMatchObject({ version: 4 });
    expect(await versionsOf(id)).toEqual([1, 2, 3, 4]);
  });
});
