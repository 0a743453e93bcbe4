import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { migratedStore } from '../../test/support/database.js';
import { PostgresEventStore } from '../event-store/postgres-event-store.js';
import {
  committedReader,
  headCheckpoint as headOf,
  noted,
  ofPrefix,
} from '../event-store/testing/log-reading.js';
import { type LogRead, projectionLog, sharedReads } from './log-read.js';

describe('projectionLog: the log as workers read it', () => {
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let log: LogRead;

  beforeAll(async () => {
    ({ pool, store } = await migratedStore('Noted'));
    log = projectionLog(pool);
  });
  afterAll(() => pool.end());

  const headCheckpoint = () => headOf(store);
  const committedOf = committedReader((options) => log.readAll(options));

  it('returns the events readAll returns, field for field, with or without metadata', async () => {
    const prefix = `same-${randomUUID()}`;
    const after = await headCheckpoint();
    for (let i = 0; i < 30; i++)
      await store.append(`${prefix}-${i % 3}`, [
        { ...noted(i), metadata: { actor: 'tester', correlationId: `c${i}` } },
      ]);
    await committedOf(prefix, after, 30);

    for (const metadata of [true, false]) {
      const expected = ofPrefix(await store.readAll({ after, metadata, limit: 1000 }), prefix);
      const read = ofPrefix(await log.readAll({ after, metadata, limit: 1000 }), prefix);
      expect(expected).toHaveLength(30);
      expect(read).toEqual(expected);
      expect(read.map((e) => e.recordedAt.getTime())).toEqual(
        expected.map((e) => e.recordedAt.getTime()),
      );
    }
  });

  it('reads an event committed after later positions, after them, never skipping it', async () => {
    const prefix = `late-${randomUUID()}`;
    const after = await headCheckpoint();
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const held = await new PostgresEventStore(client, store.registry).append(`${prefix}-a`, [
        noted(1),
      ]);
      const committed = await store.append(`${prefix}-b`, [noted(2)]);
      expect(committed.position).toBeGreaterThan(held.position);
      expect(ofPrefix(await log.readAll({ after }), prefix)).toEqual([]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const read = await committedOf(prefix, after, 2);
    expect(read.map((e) => e.data.n)).toEqual([1, 2]);
  });
});

describe('sharedReads: the reads of one turn as one statement', () => {
  let pool: pg.Pool;
  let store: PostgresEventStore;

  beforeAll(async () => {
    ({ pool, store } = await migratedStore('Noted'));
  });
  afterAll(() => pool.end());

  /** The log, counting its statements; `hold` keeps the answers back until it resolves. */
  function counted(hold?: Promise<void>) {
    const sent: Array<{ limit?: number; metadata?: boolean }> = [];
    const inner = projectionLog(pool);
    const log: LogRead = {
      async readAll(options) {
        sent.push({ limit: options.limit, metadata: options.metadata });
        const events = await inner.readAll(options);
        await hold;
        return events;
      },
    };
    return { sent, log: sharedReads(log) };
  }

  it('answers the workers that ask in one turn from one checkpoint with one statement, metadata included if one wants it', async () => {
    const prefix = `shared-${randomUUID()}`;
    const after = await headOf(store);
    for (let i = 0; i < 5; i++)
      await store.append(`${prefix}-${i}`, [{ ...noted(i), metadata: { actor: 'tester' } }]);
    await committedReader((options) => projectionLog(pool).readAll(options))(prefix, after, 5);

    const { sent, log } = counted();
    const reads = await Promise.all([
      log.readAll({ after, limit: 100, metadata: false }),
      log.readAll({ after, limit: 100, metadata: true }),
      log.readAll({ after, limit: 100, metadata: false }),
      log.readAll({ after, limit: 3, metadata: false }),
    ]);
    expect(sent).toEqual([
      { limit: 100, metadata: true },
      { limit: 3, metadata: false },
    ]);
    const expected = await store.readAll({ after, limit: 100, metadata: true });
    expect(ofPrefix(expected, prefix)).toHaveLength(5);
    for (const read of reads.slice(0, 3)) expect(read).toEqual(expected);
    expect(reads[3]).toEqual(await store.readAll({ after, limit: 3, metadata: false }));
    // Each caller has an array of its own.
    expect(new Set(reads).size).toBe(4);
  });

  it('never answers a read with a statement sent before it was asked: what was committed in between is in it', async () => {
    const prefix = `later-${randomUUID()}`;
    const after = await headOf(store);
    let release!: () => void;
    const { sent, log } = counted(new Promise<void>((resolve) => (release = resolve)));
    const first = log.readAll({ after, limit: 100 });
    await new Promise((resolve) => setImmediate(resolve));
    await store.append(`${prefix}-a`, [noted(1)]);
    // The first statement is still unanswered: a later read must not take its answer.
    const second = log.readAll({ after, limit: 100 });
    release();
    expect(ofPrefix(await first, prefix)).toEqual([]);
    expect(ofPrefix(await second, prefix).map((e) => e.data.n)).toEqual([1]);
    expect(sent).toHaveLength(2);
  });
});
