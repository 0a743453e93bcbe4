import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import {
  migratedStore,
  scratchDatabase,
  storeOn,
  type ScratchDatabase,
} from '../../test/support/database.js';
import {
  ConcurrencyError,
  EventIdConflictError,
  UnknownEventTypeError,
} from './event-store.errors.js';
import type { NewEvent, ReadStreamOptions } from './event-store.types.js';
import type { PostgresEventStore } from './postgres-event-store.js';

const noted = (n: number, eventId?: string): NewEvent => ({ type: 'Noted', data: { n }, eventId });

describe('PostgresEventStore', () => {
  let pool: pg.Pool;
  let store: PostgresEventStore;

  beforeAll(async () => ({ pool, store } = await migratedStore('Noted')));
  afterAll(() => pool.end());

  const stream = () => `noted-${randomUUID()}`;
  const rowCount = async (streamId: string) => {
    const sql = 'SELECT count(*)::int AS n FROM events WHERE stream_id = $1';
    return (await pool.query<{ n: number }>(sql, [streamId])).rows[0].n;
  };
  const rejection = (promise: Promise<unknown>) => promise.catch((error: unknown) => error);

  describe('append', () => {
    it('numbers a stream from 1 and draws increasing global positions', async () => {
      const id = stream();
      const first = await store.append(id, [noted(1), noted(2), noted(3)]);
      const second = await store.append(id, [noted(4)]);

      const events = [...first.events, ...second.events];
      expect(events.map((e) => e.streamVersion)).toEqual([1, 2, 3, 4]);
      expect([first.version, second.version]).toEqual([3, 4]);
      expect(
        events.every((e, i) => i === 0 || e.globalPosition > events[i - 1].globalPosition),
      ).toBe(true);
      expect(first.position).toBe(events[2].globalPosition);
      expect((await store.readStream(id)).map((e) => e.data.n)).toEqual([1, 2, 3, 4]);
    });

    it('answers with its events as a read returns them, appends sharing a statement included', async () => {
      // Data that needs escaping in an array literal, metadata shared by a command's events and metadata of its own.
      const command = { commandId: randomUUID(), correlationId: 'c "1" \\ {x}', actor: 'tester' };
      const odd = { n: 2, text: 'quote " backslash \\ brace } comma , NULL ünï' };
      const appends = Array.from({ length: 12 }, () => stream()).map((id, i) =>
        store.append(id, [
          { ...noted(1), metadata: command },
          { type: 'Noted', data: odd, metadata: command },
          { ...noted(3), metadata: { ...command, step: i } },
        ]),
      );
      for (const appended of await Promise.all(appends)) {
        const read = await store.readStream(appended.streamId);
        expect(appended.events).toEqual(read);
        expect(read[1].data).toEqual(odd);
        expect(read[0].metadata).toEqual(command);
      }
    });

    it('writes no event of an append that fails on any of its events', async () => {
      const id = stream();
      const taken = (await store.append(stream(), [noted(0)])).events[0].eventId;

      const unregistered = { type: 'Unregistered', data: {} };
      await expect(store.append(id, [noted(1), unregistered])).rejects.toThrow(
        UnknownEventTypeError,
      );
      await expect(store.append(id, [noted(1), noted(2, taken), noted(3)])).rejects.toThrow(
        EventIdConflictError,
      );
      expect(await rowCount(id)).toBe(0);
    });

    it('checks a numeric expected version and reports the actual one', async () => {
      const id = stream();
      await store.append(id, [noted(1), noted(2)]);

      const error = await rejection(store.append(id, [noted(3)], { expectedVersion: 1 }));
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ streamId: id, expectedVersion: 1, actualVersion: 2 });
      expect(await rowCount(id)).toBe(2);

      await expect(store.append(id, [noted(3)], { expectedVersion: 2 })).resolves.toMatchObject({
        version: 3,
      });
    });

    it("accepts 'no-stream' only for a new stream and 'any' always", async () => {
      const id = stream();
      await expect(
        store.append(id, [noted(1)], { expectedVersion: 'no-stream' }),
      ).resolves.toMatchObject({ version: 1 });

      const error = await rejection(store.append(id, [noted(2)], { expectedVersion: 'no-stream' }));
      expect(error).toMatchObject({ name: 'ConcurrencyError', actualVersion: 1 });

      await expect(store.append(id, [noted(2)], { expectedVersion: 'any' })).resolves.toMatchObject(
        { version: 2 },
      );
      await expect(store.append(id, [noted(3)])).resolves.toMatchObject({ version: 3 });
    });

    it('lets exactly one of 20 parallel appends at the same expected version win', async () => {
      const id = stream();
      await store.append(id, [noted(0)]);

      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          store.append(id, [noted(i), noted(i)], { expectedVersion: 1 }),
        ),
      );

      const won = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
      const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
      expect(won).toHaveLength(1);
      expect(won[0].version).toBe(3);
      expect(lost).toHaveLength(19);
      for (const error of lost)
        expect(error).toMatchObject({ name: 'ConcurrencyError', actualVersion: 3 });
      const stored = await store.readStream(id);
      expect(stored.slice(1).map((e) => e.eventId)).toEqual(won[0].events.map((e) => e.eventId));
    });
  });

  describe('idempotent retries', () => {
    it('returns the first result for the same event ids and writes nothing', async () => {
      const id = stream();
      const ids = [randomUUID(), randomUUID()];
      const first = await store.append(id, [noted(1, ids[0]), noted(2, ids[1])], {
        expectedVersion: 'no-stream',
      });
      await store.append(id, [noted(3)]);

      const again = await store.append(id, [noted(1, ids[0]), noted(2, ids[1])], {
        expectedVersion: 'no-stream',
      });
      const anyAgain = await store.append(id, [noted(1, ids[0]), noted(2, ids[1])]);

      expect(first.duplicate).toBe(false);
      for (const retry of [again, anyAgain]) {
        expect(retry).toMatchObject({
          duplicate: true,
          version: first.version,
          position: first.position,
        });
        expect(retry.events.map((e) => e.eventId)).toEqual(ids);
      }
      expect(await rowCount(id)).toBe(3);
    });

    it('refuses event ids reused in another stream or in a partly new append', async () => {
      const id = stream();
      const other = stream();
      const ids = [randomUUID(), randomUUID()];
      await store.append(id, [noted(1, ids[0]), noted(2, ids[1])]);

      await expect(store.append(other, [noted(1, ids[0]), noted(2, ids[1])])).rejects.toThrow(
        EventIdConflictError,
      );
      await expect(store.append(id, [noted(1, ids[0]), noted(3)])).rejects.toThrow(
        EventIdConflictError,
      );
      await expect(store.append(id, [noted(3), noted(2, ids[1])])).rejects.toThrow(
        EventIdConflictError,
      );
      expect(await rowCount(id)).toBe(2);
      expect(await rowCount(other)).toBe(0);
    });
  });

  describe('readStream', () => {
    it('reads a version range, up to an instant, backwards and with a limit', async () => {
      const id = stream();
      for (let n = 1; n <= 5; n++) {
        await store.append(id, [noted(n)]);
        await sleep(5);
      }
      const [first, , third] = await store.readStream(id);
      const versions = async (options: ReadStreamOptions) =>
        (await store.readStream(id, options)).map((e) => e.streamVersion);

      expect(await versions({ fromVersion: 2, toVersion: 4 })).toEqual([2, 3, 4]);
      expect(await versions({ fromVersion: 4 })).toEqual([4, 5]);
      expect(await versions({ until: third.recordedAt })).toEqual([1, 2, 3]);
      expect(await versions({ until: new Date(first.recordedAt.getTime() - 1) })).toEqual([]);
      expect(await versions({ direction: 'backward', limit: 2 })).toEqual([5, 4]);
      expect(await versions({ direction: 'backward', toVersion: 3 })).toEqual([3, 2, 1]);
      expect(await versions({ fromVersion: 2, limit: 2 })).toEqual([2, 3]);
      expect(await store.readStream(stream())).toEqual([]);
    });
  });

  it('refuses to update or delete a stored event', async () => {
    const id = stream();
    await store.append(id, [noted(1)]);

    await expect(
      pool.query(`UPDATE events SET data = '{"n": 2}' WHERE stream_id = $1`, [id]),
    ).rejects.toThrow(/immutable/);
    await expect(pool.query('DELETE FROM events WHERE stream_id = $1', [id])).rejects.toThrow(
      /immutable/,
    );
    expect((await store.readStream(id)).map((e) => e.data.n)).toEqual([1]);
  });
});

describe('PostgresEventStore.readStream on a long stream', () => {
  let scratch: ScratchDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    scratch = await scratchDatabase();
    // One session, planning every prepared statement generically: what a pooled connection does from its sixth run.
    pool = new pg.Pool({
      connectionString: scratch.url,
      max: 1,
      options: '-c plan_cache_mode=force_generic_plan',
    });
  });
  afterAll(async () => {
    await pool.end();
    await scratch.drop();
  });

  /** Rows the session's index scans fetched from `events` while `read` ran (its own statistics, flushed). */
  async function rowsFetchedBy(read: () => Promise<unknown>): Promise<number> {
    const fetched = async () => {
      await pool.query('SELECT pg_stat_force_next_flush()');
      const { rows } = await pool.query<{ n: string }>(
        `SELECT coalesce(idx_tup_fetch, 0) AS n FROM pg_stat_user_tables WHERE relname = 'events'`,
      );
      return Number(rows[0].n);
    };
    const before = await fetched();
    await read();
    return (await fetched()) - before;
  }

  it('reads a version range through the index, whatever the stream holds before or after it', async () => {
    const store = storeOn(pool, 'Noted');
    const streamId = `noted-${randomUUID()}`;
    for (let i = 0; i < 5; i++)
      await store.append(
        streamId,
        Array.from({ length: 1000 }, (_, n) => noted(i * 1000 + n)),
      );

    const tail = await rowsFetchedBy(() => store.readStream(streamId, { fromVersion: 4991 }));
    const range = await rowsFetchedBy(() =>
      store.readStream(streamId, { fromVersion: 2001, toVersion: 2010 }),
    );
    const last = await rowsFetchedBy(() =>
      store.readStream(streamId, { direction: 'backward', limit: 1 }),
    );

    expect({ tail, range, last }).toEqual({ tail: 10, range: 10, last: 1 });
  });
});
