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
import { type LogRead, projectionLog } from './log-read.js';

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
