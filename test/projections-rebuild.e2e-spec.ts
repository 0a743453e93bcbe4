import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningApp } from '../src/app.factory.js';
import { PostgresEventStore } from '../src/event-store/index.js';
import {
  accountLife,
  foldAccountAt,
  foldAccounts,
  readAccountsModel,
  readLog,
  type StatementRow,
} from './support/account-fold.js';
import { accountsApi, type StatementLine } from './support/accounts-api.js';
import { scratchDatabase, type ScratchDatabase } from './support/database.js';
import { eventually } from './support/eventually.js';
import { startTestApp, testConfig } from './support/test-app.js';

const ACCOUNTS = 60;
const EVENTS_PER_ACCOUNT = 100;

interface Read {
  id: string;
  status: number;
  balance?: number;
  version?: number;
  lines?: StatementLine[];
  rebuilding: boolean;
}

describe('rebuilding a projection under write load', () => {
  let scratch: ScratchDatabase;
  let running: RunningApp;

  beforeAll(async () => {
    scratch = await scratchDatabase(3);
    const config = testConfig();
    // Small batches: the rebuild takes a noticeable moment over a few thousand events.
    running = await startTestApp({
      databaseUrl: scratch.url,
      dbPoolSize: 10,
      projections: { ...config.projections, batchSize: 200, maxBatchSize: 200 },
    });
  });
  afterAll(async () => {
    await running?.close();
    await scratch?.drop();
  });

  it('answers old but complete reads while it runs, then swaps in a fold of the whole log with every write in it', async () => {
    const api = accountsApi(running.app.getHttpServer());
    const store = running.app.get(PostgresEventStore);
    const accounts = Array.from({ length: ACCOUNTS }, () => randomUUID());
    let head = 0;
    for (const [n, accountId] of accounts.entries()) {
      const life = {
        owner: `Rebuild ${n}`,
        length: EVENTS_PER_ACCOUNT,
        withdrawEvery: 3,
        withdrawal: 40,
      };
      head = (await store.append(`account-${accountId}`, accountLife(accountId, life))).position;
    }
    await eventually(async () => {
      await api.account(accounts.at(-1)!, head);
    }, 30_000);

    let rebuilding = false;
    let stop = false;
    const written: Array<{ position: number; duringRebuild: boolean }> = [];
    const reads: Read[] = [];
    const pick = () => accounts[Math.floor(Math.random() * accounts.length)];

    const writer = async () => {
      for (let i = 0; !stop; i++) {
        const id = pick();
        const accepted =
          i % 2 === 0 ? await api.deposit(id, 1 + (i % 50)) : await api.withdraw(id, 1 + (i % 30));
        written.push({ position: accepted.position, duringRebuild: rebuilding });
      }
    };
    const reader = async () => {
      for (let i = 0; !stop; i++) {
        const id = accounts[i % 8];
        const during = rebuilding;
        const res = await api.http().get(`/accounts/${id}`);
        reads.push({ id, status: res.status, ...res.body, rebuilding: during && rebuilding });
        const statement = await api
          .http()
          .get(`/accounts/${id}/transactions`)
          .query({ limit: 500 });
        reads.push({
          id,
          status: statement.status,
          lines: statement.body.items,
          rebuilding: during && rebuilding,
        });
      }
    };
    const load = [writer(), writer(), writer(), reader(), reader()];
    await sleep(200);

    rebuilding = true;
    await api.http().post('/admin/projections/accounts/rebuild').expect(202);
    let sawRebuilding = false;
    await eventually(async () => {
      const { body } = await api.http().get('/admin/projections').expect(200);
      const accountsStatus = body.projections.find((p: { name: string }) => p.name === 'accounts');
      if (accountsStatus.status === 'rebuilding') sawRebuilding = true;
      expect(accountsStatus).toMatchObject({ rebuild: null });
      expect(accountsStatus.status).not.toBe('rebuilding');
    }, 60_000);
    rebuilding = false;
    await sleep(200);
    stop = true;
    await Promise.all(load);

    expect(sawRebuilding).toBe(true);
    expect(reads.filter((r) => r.rebuilding).length).toBeGreaterThan(0);
    expect(written.filter((w) => w.duringRebuild).length).toBeGreaterThan(0);

    await eventually(async () => {
      const { rows } = await scratch.pool.query(
        `SELECT (SELECT count(*) FROM events e
           WHERE (e.transaction_id, e.global_position) > (c.transaction_id, c.global_position))::int AS lag
         FROM projection_checkpoints c WHERE c.name = 'accounts'`,
      );
      expect(rows).toEqual([{ lag: 0 }]);
    }, 20_000);

    const log = await readLog(scratch.pool);
    const folded = foldAccounts(log);
    const model = await readAccountsModel(scratch.pool);
    expect(model).toEqual(folded);
    const stored = new Set(model.lines.map((line) => line.position));
    expect(written.filter((w) => !stored.has(w.position))).toEqual([]);

    // Every answer, during the rebuild too, was some complete state of the account: never missing, never a
    // balance or statement that leaves out events its version includes.
    const linesOf = (id: string, version: number) =>
      folded.lines
        .filter((l: StatementRow) => l.accountId === id && l.streamVersion <= version)
        .map((l) => ({ version: l.streamVersion, balanceAfter: l.balanceAfter }));
    const wrong = reads.filter((read) => {
      if (read.status !== 200) return true;
      if (read.lines) {
        const last = read.lines.at(-1)?.version ?? 1;
        const seen = read.lines.map((l) => ({ version: l.version, balanceAfter: l.balanceAfter }));
        return JSON.stringify(seen) !== JSON.stringify(linesOf(read.id, last));
      }
      const expected = foldAccountAt(log, read.id, read.version!);
      return read.balance !== expected.balance || read.version !== expected.version;
    });
    expect(wrong).toEqual([]);
  }, 180_000);
});
