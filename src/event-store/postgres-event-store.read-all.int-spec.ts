import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { migratedStore, scratchDatabase, storeOn } from '../../test/support/database.js';
import type { Checkpoint } from './event-store.types.js';
import { PostgresEventStore } from './postgres-event-store.js';
import {
  committedReader,
  headCheckpoint as headOf,
  noted,
  ofPrefix,
} from './testing/log-reading.js';

const NAIVE_SQL = `SELECT event_id, global_position FROM events
  WHERE global_position > $1 AND stream_id LIKE $2 || '%' ORDER BY global_position LIMIT 3`;

describe('PostgresEventStore.readAll in commit order', () => {
  let pool: pg.Pool;
  let store: PostgresEventStore;

  beforeAll(async () => ({ pool, store } = await migratedStore('Noted')));
  afterAll(() => pool.end());

  const headCheckpoint = () => headOf(store);
  const committed = committedReader((options) => store.readAll(options));
  const committedOf = async (prefix: string, after: Checkpoint, count: number) =>
    (await committed(prefix, after, count)).map((e) => e.data.n);

  async function inTransaction<T>(work: (inTx: PostgresEventStore) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(new PostgresEventStore(client, store.registry));
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (error) {
      client.release(true);
      throw error;
    }
  }

  it('reads the same events without their metadata when asked to', async () => {
    const id = `noted-${randomUUID()}`;
    const after = await headCheckpoint();
    await store.append(id, [{ ...noted(1), metadata: { actor: 'tester', correlationId: id } }]);
    await committedOf(id, after, 1);

    const [full] = ofPrefix(await store.readAll({ after }), id);
    const [lean] = ofPrefix(await store.readAll({ after, metadata: false }), id);

    expect(full.metadata).toEqual({ actor: 'tester', correlationId: id });
    expect(lean).toEqual({ ...full, metadata: {} });
  });

  it('hides the events of a transaction until it commits', async () => {
    const id = `noted-${randomUUID()}`;
    const after = await headCheckpoint();
    await inTransaction(async (inTx) => {
      await inTx.append(id, [noted(1)]);
      expect(ofPrefix(await store.readAll({ after }), id)).toEqual([]);
    });
    expect(await committedOf(id, after, 1)).toEqual([1]);
  });

  it('reads an event committed after later positions, which the naive poll skips', async () => {
    const prefix = `late-${randomUUID()}`;
    const after = await headCheckpoint();
    const later = await inTransaction(async (inTx) => {
      const held = await inTx.append(`${prefix}-a`, [noted(1)]);
      const committed = await store.append(`${prefix}-b`, [noted(2)]);
      expect(committed.position).toBeGreaterThan(held.position);
      const naive = await pool.query(NAIVE_SQL, [after.position, prefix]);
      expect(naive.rows.map((r) => Number(r.global_position))).toEqual([committed.position]);
      expect(ofPrefix(await store.readAll({ after }), prefix)).toEqual([]);
      return committed;
    });
    expect((await pool.query(NAIVE_SQL, [later.position, prefix])).rows).toEqual([]);
    expect(await committedOf(prefix, after, 2)).toEqual([1, 2]);
  });

  it('pages a transaction whole before a later one that committed between its appends', async () => {
    const prefix = `paged-${randomUUID()}`;
    const after = await headCheckpoint();
    // A's first append takes the older transaction id: a2 follows b1 by position, precedes it in the log.
    await inTransaction(async (inTx) => {
      await inTx.append(`${prefix}-a`, [noted(1)]);
      const b1 = await store.append(`${prefix}-b`, [noted(1)]);
      const a2 = await inTx.append(`${prefix}-a`, [noted(2)]);
      expect(a2.position).toBeGreaterThan(b1.position);
    });
    await committedOf(prefix, after, 3);

    const seen: string[] = [];
    for (let from = after; ;) {
      const page = await store.readAll({ after: from, limit: 2 });
      if (page.length === 0) break;
      seen.push(...ofPrefix(page, prefix).map((e) => `${e.streamId.at(-1)}${e.streamVersion}`));
      from = page.at(-1)!.checkpoint;
    }
    expect(seen).toEqual(['a1', 'a2', 'b1']);
  });

  it('orders transactions by number where their ids gain a digit', async () => {
    // Transaction ids 8..11 written directly in a database of its own: read as text, '10' < '9'
    // and a checkpoint at 9 would skip 10 and 11. Real ids never go this low, so no event interleaves.
    const scratch = await scratchDatabase();
    try {
      await scratch.pool.query(
        `INSERT INTO events (stream_id, stream_version, event_id, type, data, transaction_id)
         SELECT 'digits-' || n, 1, gen_random_uuid(), 'Noted', jsonb_build_object('n', n - 7), n::text::xid8
         FROM generate_series(8, 11) AS n ORDER BY n`,
      );
      const scratchStore = storeOn(scratch.pool, 'Noted');
      const seen: unknown[] = [];
      let from: Checkpoint = { transactionId: '7', position: 0 };
      for (let page = 0; page < 3; page++) {
        const events = await scratchStore.readAll({ after: from, limit: 2 });
        seen.push(...events.map((e) => e.data.n));
        from = events.at(-1)?.checkpoint ?? from;
      }
      expect(seen).toEqual([1, 2, 3, 4]);
    } finally {
      await scratch.drop();
    }
  });

  it('delivers every event exactly once while held-open writers commit out of order', async () => {
    const prefix = `race-${randomUUID()}`;
    const start = await headCheckpoint();
    const written: string[] = [];
    const commits: number[] = [];
    let writing = true;

    async function write(streamId: string, startDelay: number, hold: number): Promise<void> {
      await sleep(startDelay);
      const result = await inTransaction(async (inTx) => {
        const appended = await inTx.append(streamId, [noted(1), noted(2)]);
        await sleep(hold);
        return appended;
      });
      written.push(...result.events.map((e) => e.eventId));
      commits.push(result.position);
    }

    type Page<C> = { ids: string[]; next: C; empty: boolean };
    async function follow<C>(
      from: C,
      read: (after: C) => Promise<Page<C>>,
      enough: (seen: string[]) => boolean,
    ): Promise<string[]> {
      const seen: string[] = [];
      const deadline = Date.now() + 10_000;
      for (let after = from; Date.now() < deadline;) {
        const done = !writing;
        const page = await read(after);
        seen.push(...page.ids);
        after = page.next;
        if (page.empty && done && enough(seen)) break;
        if (page.empty) await sleep(2);
      }
      return seen;
    }

    const readers = Promise.all([
      follow(
        start,
        async (after) => {
          const events = await store.readAll({ after, limit: 3 });
          const ids = ofPrefix(events, prefix).map((e) => e.eventId);
          return { ids, next: events.at(-1)?.checkpoint ?? after, empty: events.length === 0 };
        },
        (seen) => seen.length >= written.length,
      ),
      follow(
        start.position,
        async (after) => {
          const { rows } = await pool.query(NAIVE_SQL, [after, prefix]);
          const next = rows.length > 0 ? Number(rows[rows.length - 1].global_position) : after;
          return { ids: rows.map((r) => r.event_id), next, empty: rows.length === 0 };
        },
        () => true,
      ),
    ]);
    for (let round = 0; round < 4; round++) {
      const random = (from: number, to: number) => from + Math.random() * (to - from);
      await Promise.all([
        write(`${prefix}-${round}-0`, 0, random(150, 200)),
        ...[1, 2, 3, 4].map((w) =>
          write(`${prefix}-${round}-${w}`, random(5, 30), random(20, 120)),
        ),
      ]);
    }
    writing = false;
    const [commitSafe, naive] = await readers;

    const outOfOrder = commits.some((position, i) => commits.slice(0, i).some((p) => p > position));
    expect(outOfOrder).toBe(true);
    expect(written).toHaveLength(40);
    expect(commitSafe).toHaveLength(written.length);
    expect(new Set(commitSafe)).toEqual(new Set(written));
    expect(new Set(naive).size).toBeLessThan(written.length);
  });
});
