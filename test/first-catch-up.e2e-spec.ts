import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { RunningApp } from '../src/app.factory.js';
import { ACCOUNT_EVENT_TYPES } from '../src/accounts/index.js';
import type { AppConfig } from '../src/config/config.js';
import { accountLife, foldAccounts, readAccountsModel, readLog } from './support/account-fold.js';
import { scratchDatabase, type ScratchDatabase, storeOn } from './support/database.js';
import { eventually } from './support/eventually.js';
import { startTestApp, testConfig } from './support/test-app.js';

const ACCOUNTS = 40;
const EVENTS_PER_ACCOUNT = 100;

/** A log of opened accounts with deposits and withdrawals, appended before any projection ran; its head. */
async function growLog(pool: pg.Pool): Promise<number> {
  const store = storeOn(pool, ...ACCOUNT_EVENT_TYPES);
  let head = 0;
  for (let n = 0; n < ACCOUNTS; n++) {
    const accountId = randomUUID();
    const life = {
      owner: `First ${n}`,
      length: EVENTS_PER_ACCOUNT,
      withdrawEvery: 4,
      withdrawal: 150,
    };
    head = (await store.append(`account-${accountId}`, accountLife(accountId, life))).position;
  }
  return head;
}

/** The statement lines' and balances' columns, constraints and indexes, by name. */
async function definitions(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ definition: string }>(
    `SELECT format('%s %s', conname, pg_get_constraintdef(oid)) AS definition FROM pg_constraint
     WHERE conrelid IN ('public.account_transactions'::regclass, 'public.account_balances'::regclass)
     UNION ALL
     SELECT indexdef FROM pg_indexes
     WHERE schemaname = 'public' AND tablename IN ('account_transactions', 'account_balances')
     ORDER BY 1`,
  );
  return rows.map((row) => row.definition);
}

async function checkpointOf(pool: pg.Pool, name: string) {
  const { rows } = await pool.query<{ position: string; status: string }>(
    `SELECT global_position AS position, status FROM projection_checkpoints WHERE name = $1`,
    [name],
  );
  return rows[0] ? { position: Number(rows[0].position), status: rows[0].status } : undefined;
}

/**
 * Small batches, one read per transaction: the catch-up takes a moment a test can look into; a poll that wakes
 * every projection often, as commits would.
 */
function slowly(overrides: Partial<AppConfig['projections']> = {}): Partial<AppConfig> {
  const { projections } = testConfig();
  return {
    dbPoolSize: 10,
    projections: {
      ...projections,
      pollMs: 10,
      batchSize: 20,
      maxBatchSize: 20,
      maxTransactionMs: 0,
      firstCatchUpAsRebuildFrom: 1,
      ...overrides,
    },
  };
}

/** Lines written by transactions up to `xmin`: the ones a copy kept across a restart. */
async function linesUpTo(pool: pg.Pool, xmin: number, table = 'public.account_transactions') {
  const { rows } = await pool.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM ${table} WHERE xmin::text::bigint <= $1`,
    [xmin],
  );
  return rows[0].count;
}

describe("a read model's first catch-up over a long log", () => {
  let scratch: ScratchDatabase;
  let running: RunningApp | undefined;
  let head: number;

  beforeEach(async () => {
    scratch = await scratchDatabase(3);
    head = await growLog(scratch.pool);
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
    await scratch?.drop();
  });

  const caughtUp = () =>
    eventually(async () => {
      expect(await checkpointOf(scratch.pool, 'accounts')).toMatchObject({ position: head });
    }, 60_000);

  async function expectFoldOfTheLog() {
    expect(await readAccountsModel(scratch.pool)).toEqual(
      foldAccounts(await readLog(scratch.pool)),
    );
  }

  /** Stops the app while the copy is half made; what it left. */
  async function stopHalfWay() {
    await eventually(async () => {
      const rebuild = await checkpointOf(scratch.pool, 'accounts:rebuild');
      expect(rebuild?.position).toBeGreaterThan(head / 4);
    }, 60_000);
    await running!.close();
    running = undefined;
    const rebuild = (await checkpointOf(scratch.pool, 'accounts:rebuild'))!;
    const { rows } = await scratch.pool.query<{ lines: number; xmin: string }>(
      `SELECT count(*)::int AS lines, max(xmin::text::bigint) AS xmin
       FROM chronicle_rebuild_accounts.account_transactions`,
    );
    return { rebuild, lines: rows[0].lines, xmin: Number(rows[0].xmin) };
  }

  it('runs as a rebuild, then live: a fold of the log, with the keys and indexes the migrations made', async () => {
    const migrated = await definitions(scratch.pool);
    const seen = { rebuildRow: false, liveHalfWay: false };
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const live = await checkpointOf(scratch.pool, 'accounts');
        if (live && live.position > 0 && live.position < head) seen.liveHalfWay = true;
        if (await checkpointOf(scratch.pool, 'accounts:rebuild')) seen.rebuildRow = true;
      }
    })();
    running = await startTestApp({ databaseUrl: scratch.url, ...slowly() });
    await caughtUp();
    watching = false;
    await watch;

    // The live checkpoint went from the start to the head at once: the copy was swapped in.
    expect(seen).toEqual({ rebuildRow: true, liveHalfWay: false });
    await expectFoldOfTheLog();
    expect(await definitions(scratch.pool)).toEqual(migrated);
    expect(await checkpointOf(scratch.pool, 'accounts:rebuild')).toBeUndefined();

    // And it goes on live from there.
    const store = storeOn(scratch.pool, ...ACCOUNT_EVENT_TYPES);
    const accountId = randomUUID();
    head = (
      await store.append(`account-${accountId}`, [
        { type: 'AccountOpened', data: { accountId, ownerName: 'Later', currency: 'EUR' } },
        { type: 'MoneyDeposited', data: { accountId, amount: 700, source: 'cash' } },
      ])
    ).position;
    await caughtUp();
    await expectFoldOfTheLog();
  }, 120_000);

  it('stopped half way, goes on from the copy it left at the next start', async () => {
    running = await startTestApp({ databaseUrl: scratch.url, ...slowly() });
    const left = await stopHalfWay();
    expect(left.lines).toBeGreaterThan(0);
    expect(await checkpointOf(scratch.pool, 'accounts')).toMatchObject({ position: 0 });

    running = await startTestApp({ databaseUrl: scratch.url, ...slowly({ batchSize: 500 }) });
    await caughtUp();
    await expectFoldOfTheLog();
    // The lines the first run wrote are still there, from its transactions.
    expect(await linesUpTo(scratch.pool, left.xmin)).toBe(left.lines);
  }, 120_000);

  it.each([
    {
      change: 'a new index',
      migration: 'CREATE INDEX account_transactions_by_time ON account_transactions (recorded_at)',
      kept: `SELECT 1 FROM pg_indexes WHERE schemaname = 'public' AND indexname = 'account_transactions_by_time'`,
    },
    {
      change: "a column's collation",
      migration: 'ALTER TABLE account_transactions ALTER COLUMN description TYPE text COLLATE "C"',
      kept: `SELECT 1 FROM pg_attribute WHERE attrelid = 'public.account_transactions'::regclass
        AND attname = 'description' AND attcollation = '"C"'::regcollation`,
    },
  ])(
    'starts its copy again when the tables were changed in between ($change), and keeps the change',
    async ({ migration, kept }) => {
      running = await startTestApp({ databaseUrl: scratch.url, ...slowly() });
      const left = await stopHalfWay();
      await scratch.pool.query(migration);

      running = await startTestApp({ databaseUrl: scratch.url, ...slowly({ batchSize: 500 }) });
      await caughtUp();
      await expectFoldOfTheLog();
      expect(await linesUpTo(scratch.pool, left.xmin)).toBe(0);
      expect((await scratch.pool.query(kept)).rows).toHaveLength(1);
    },
    120_000,
  );

  it('catches up in place over a log shorter than PROJECTION_FIRST_CATCH_UP_AS_REBUILD_FROM', async () => {
    let rebuildRow = false;
    let watching = true;
    const watch = (async () => {
      while (watching) {
        if (await checkpointOf(scratch.pool, 'accounts:rebuild')) rebuildRow = true;
      }
    })();
    running = await startTestApp({
      databaseUrl: scratch.url,
      ...slowly({ batchSize: 500, firstCatchUpAsRebuildFrom: head + 1 }),
    });
    await caughtUp();
    watching = false;
    await watch;
    expect(rebuildRow).toBe(false);
    await expectFoldOfTheLog();
  }, 120_000);
});
