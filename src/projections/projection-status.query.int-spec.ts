import pg from 'pg';
import type { DataSource } from 'typeorm';
import { scratchDatabase, type ScratchDatabase } from '../../test/support/database.js';
import { LEASE_LOCK_SPACE } from './leases.js';
import { ensureCheckpointRow } from './projection-checkpoints.js';
import { readProjectionStatuses } from './projection-status.query.js';

describe('readProjectionStatuses', () => {
  let ours: ScratchDatabase;
  let theirs: ScratchDatabase;
  let holder: pg.Client;

  beforeAll(async () => {
    [ours, theirs] = await Promise.all([scratchDatabase(2), scratchDatabase(2)]);
    holder = new pg.Client({
      connectionString: theirs.url,
      application_name: 'chronicle elsewhere:1',
    });
    await holder.connect();
  });
  afterAll(async () => {
    await holder.end();
    await Promise.all([ours.drop(), theirs.drop()]);
  });

  it('names the lease holder of its own database only, not of another database on the server', async () => {
    await holder.query('SELECT pg_advisory_lock($1, hashtext($2))', [LEASE_LOCK_SPACE, 'accounts']);
    const db = {
      query: async (sql: string, params?: unknown[]) => (await ours.pool.query(sql, params)).rows,
    } as Pick<DataSource, 'query'>;
    await ensureCheckpointRow(db, 'accounts');

    const [accounts] = await readProjectionStatuses(
      db,
      ['accounts'],
      () => 0,
      () => ['AccountOpened'],
    );

    expect(accounts.owner).toBeNull();
  });
});
