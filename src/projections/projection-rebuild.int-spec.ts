import { randomUUID } from 'node:crypto';
import { Injectable, type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { EntityManager } from 'typeorm';
import { scratchDatabase, type ScratchDatabase, storeOn } from '../../test/support/database.js';
import { eventually } from '../../test/support/eventually.js';
import { testConfig } from '../../test/support/test-app.js';
import { ACCOUNT_EVENT_TYPES } from '../accounts/index.js';
import { AppModule } from '../app.module.js';
import type { PersistedEvent } from '../event-store/persisted-event.js';
import { ProjectionRunner } from './projection-runner.service.js';
import { shadowSchemaOf } from './projection-rebuild.js';
import { Projection, type ReadModel } from './processor.js';

const NAME = `noted-${randomUUID()}`;
/** Set by a test: every event noted under one id, which the table's key refuses. */
let noteAllAsOne = false;

/** One row per event, only ever inserted: its table's key is built after a rebuild's load. */
@Projection(NAME)
@Injectable()
class NotedProjection implements ReadModel {
  readonly eventTypes = ACCOUNT_EVENT_TYPES;
  readonly tables = ['rebuild_noted'];
  readonly insertOnly = ['rebuild_noted'];

  async apply(events: readonly PersistedEvent[], tx: EntityManager): Promise<void> {
    for (const event of events) {
      await tx.query('INSERT INTO rebuild_noted (id, type) VALUES ($1, $2)', [
        noteAllAsOne ? 1 : event.globalPosition,
        event.type,
      ]);
    }
  }
}

/** A scratch database with the noted table and a log of three events, and the app on it. */
async function noting(firstCatchUpAsRebuildFrom = 0) {
  const scratch = await scratchDatabase(3);
  await scratch.pool.query(`CREATE TABLE rebuild_noted (id bigint PRIMARY KEY, type text NOT NULL);
    CREATE INDEX rebuild_noted_by_type ON rebuild_noted (type) WHERE type <> 'AccountOpened'`);
  const store = storeOn(scratch.pool, ...ACCOUNT_EVENT_TYPES);
  const accountId = randomUUID();
  const { position: head } = await store.append(`account-${accountId}`, [
    { type: 'AccountOpened', data: { accountId, ownerName: 'Noted', currency: 'EUR' } },
    { type: 'MoneyDeposited', data: { accountId, amount: 500 } },
    { type: 'MoneyWithdrawn', data: { accountId, amount: 200 } },
  ]);
  const config = testConfig();
  const moduleRef = await Test.createTestingModule({
    imports: [
      AppModule.forRoot({
        ...config,
        databaseUrl: scratch.url,
        projections: { ...config.projections, firstCatchUpAsRebuildFrom },
      }),
    ],
    providers: [NotedProjection],
  }).compile();
  return { scratch, head, app: await moduleRef.init() };
}

describe('ProjectionRebuild of a read model with an insert-only table', () => {
  let scratch: ScratchDatabase;
  let app: INestApplicationContext;
  let head: number;

  beforeAll(async () => {
    ({ scratch, app, head } = await noting());
    await eventually(async () => {
      const { rows } = await scratch.pool.query('SELECT count(*)::int AS n FROM rebuild_noted');
      expect(rows).toEqual([{ n: 3 }]);
    });
  });
  afterAll(async () => {
    await app?.close();
    await scratch?.drop();
  });

  const noted = async () =>
    (await scratch.pool.query('SELECT id::int, type FROM rebuild_noted ORDER BY id')).rows;
  const definitions = async () =>
    (
      await scratch.pool.query(
        `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'rebuild_noted' ORDER BY 1`,
      )
    ).rows.map((row) => ({ ...row, indexdef: row.indexdef.replace(/ ON \S+ USING/, ' ON USING') }));

  it('fails at the key built after the load when the copy violates it, the live table untouched', async () => {
    const before = await noted();
    noteAllAsOne = true;
    try {
      // Without a key during the load, every insert went in: the key's build is what refuses them.
      await expect(app.get(ProjectionRunner).rebuild(NAME)).rejects.toThrow(
        /could not create unique index "rebuild_noted_pkey"/,
      );
    } finally {
      noteAllAsOne = false;
    }
    expect(await noted()).toEqual(before);
    expect(before.map((row) => row.id).at(-1)).toBe(head);
  });

  it('swaps in a copy with the live keys and indexes, under their names, once it holds', async () => {
    const live = await definitions();
    await app.get(ProjectionRunner).rebuild(NAME);
    expect(await definitions()).toEqual(live);
    expect(live.map((index) => index.indexname)).toEqual([
      'rebuild_noted_by_type',
      'rebuild_noted_pkey',
    ]);
    expect((await noted()).map((row) => row.type)).toEqual([
      'AccountOpened',
      'MoneyDeposited',
      'MoneyWithdrawn',
    ]);
  });
});

describe('A first catch-up as a rebuild that fails', () => {
  let scratch: ScratchDatabase | undefined;
  let app: INestApplicationContext | undefined;
  afterAll(async () => {
    noteAllAsOne = false;
    await app?.close();
    await scratch?.drop();
  });

  it('drops its copy, and the live worker catches up in place', async () => {
    noteAllAsOne = true;
    const started = await noting(1);
    ({ scratch, app } = started);
    const db = started.scratch;
    // In place, the live table's key refuses the second event: the projection stops at it.
    await eventually(async () => {
      const { rows } = await db.pool.query(
        `SELECT status, last_error FROM projection_checkpoints WHERE name = $1`,
        [NAME],
      );
      expect(rows[0]).toMatchObject({ status: 'failed' });
      expect(rows[0].last_error).toMatch(/duplicate key value violates unique constraint/);
    }, 20_000);
    const { rows } = await db.pool.query(
      `SELECT (SELECT count(*)::int FROM pg_namespace WHERE nspname = $1) AS copies,
         (SELECT count(*)::int FROM projection_checkpoints WHERE name = $2) AS rebuild_rows`,
      [shadowSchemaOf(NAME), `${NAME}:rebuild`],
    );
    expect(rows).toEqual([{ copies: 0, rebuild_rows: 0 }]);
  });
});
