import { randomUUID } from 'node:crypto';
import type { RunningApp } from '../src/app.factory.js';
import { accountsApi, expectProblem } from './support/accounts-api.js';
import { TEST_CUSTOMER } from './support/auth.js';
import { scratchDatabase, type ScratchDatabase } from './support/database.js';
import { eventually } from './support/eventually.js';
import { forgeUndecryptableAccountOpened } from './support/forged-events.js';
import { startTestApp } from './support/test-app.js';

const ERASED = '[erased]';

describe("erasing an account owner's personal data (crypto-shredding)", () => {
  let scratch: ScratchDatabase;
  let running: RunningApp;
  let api: ReturnType<typeof accountsApi>;

  beforeAll(async () => {
    // A database of its own: the test rebuilds a projection, scans every table and ends by breaking one.
    scratch = await scratchDatabase();
    running = await startTestApp({ databaseUrl: scratch.url, snapshotEvery: 3 });
    api = accountsApi(running.app.getHttpServer());
  });
  afterAll(async () => {
    await running?.close();
    await scratch?.drop();
  });

  const erase = (id: string) => api.http().delete(`/accounts/${id}/personal-data`);
  const projections = async () =>
    (await api.http().get('/admin/projections').expect(200)).body.projections as Array<{
      name: string;
      status: string;
      rebuild: unknown;
      lastError: string | null;
      checkpoint: { position: number };
    }>;

  it('shows the name until it is erased, then the placeholder on every read path, and nothing can recover it', async () => {
    const name = `Ada Erasable ${randomUUID()}`;
    const opened = await api.open({ ownerName: name, initialDeposit: 1000 });
    const { id } = opened;
    for (const amount of [10, 20]) await api.deposit(id, amount);
    const head = await api.deposit(id, 30);

    expect((await api.account(id, head.position)).ownerName).toBe(name);
    const past = await api.http().get(`/accounts/${id}`).query({ atVersion: 1 }).expect(200);
    expect(past.body.ownerName).toBe(name);
    expect((await api.events(id))[0].data.ownerName).toBe(name);
    // At rest the name is nowhere in clear: the event, the snapshot and the read model hold ciphertext.
    expect(await scratch.tablesContaining(name)).toEqual([]);
    const {
      rows: [key],
    } = await scratch.pool.query(
      `SELECT encode(wrapped_key, 'hex') AS hex FROM personal_data_keys WHERE subject_id = $1`,
      [id],
    );
    expect(key.hex).toMatch(/^[0-9a-f]{138}$/);

    const erased = await erase(id).expect(200);
    expect(erased.body).toEqual({ id, version: 6, position: expect.any(Number) });
    expect((await erase(id).expect(200)).body).toEqual(erased.body);

    const account = await api.account(id, erased.body.position);
    expect(account).toMatchObject({ ownerName: ERASED, balance: 1060, version: 6 });
    for (const query of [{ atVersion: 1 }, { asOf: new Date(Date.now() + 1000).toISOString() }]) {
      const then = await api.http().get(`/accounts/${id}`).query(query).expect(200);
      expect(then.body.ownerName).toBe(ERASED);
    }
    const history = await api.http().get(`/accounts/${id}/history`).expect(200);
    expect(history.body.items.at(-1)).toMatchObject({
      version: 6,
      type: 'PersonalDataErased',
      balanceAfter: 1060,
    });
    const events = await api.events(id);
    expect(events[0].data).toEqual({
      accountId: id,
      ownerName: ERASED,
      currency: 'EUR',
      ownerId: TEST_CUSTOMER,
    });
    expect(events.at(-1)).toMatchObject({ type: 'PersonalDataErased', data: { accountId: id } });
    expect(JSON.stringify([account, history.body, events])).not.toContain(name);

    // The account lives on without its owner's name.
    const deposit = await api.deposit(id, 40);
    expect(await api.account(id, deposit.position)).toMatchObject({
      ownerName: ERASED,
      balance: 1100,
    });

    const tableOid = async () =>
      (await scratch.pool.query(`SELECT 'public.account_balances'::regclass::oid AS oid`)).rows[0]
        .oid as number;
    const liveTable = await tableOid();
    await api.http().post('/admin/projections/accounts/rebuild').expect(202);
    await eventually(async () => {
      const accounts = (await projections()).find((p) => p.name === 'accounts')!;
      expect(accounts).toMatchObject({ status: 'live', rebuild: null });
      expect(accounts.checkpoint.position).toBeGreaterThanOrEqual(deposit.position);
      expect(await tableOid()).not.toBe(liveTable);
    }, 20_000);
    expect(await api.account(id, deposit.position)).toMatchObject({
      ownerName: ERASED,
      balance: 1100,
      version: 7,
    });

    expect(await scratch.tablesContaining(name)).toEqual([]);
    expect(await scratch.tablesContaining(key.hex)).toEqual([]);
    const { rows: keys } = await scratch.pool.query(
      'SELECT wrapped_key, erased_at FROM personal_data_keys WHERE subject_id = $1',
      [id],
    );
    expect(keys).toEqual([{ wrapped_key: null, erased_at: expect.any(Date) }]);
  });

  it('answers 404 for an account that does not exist, and keeps nothing for it', async () => {
    const id = randomUUID();
    expectProblem(await erase(id), 404, 'account-not-found');
    const { rows } = await scratch.pool.query(
      'SELECT 1 FROM personal_data_keys WHERE subject_id = $1',
      [id],
    );
    expect(rows).toEqual([]);
  });

  it('dead-letters an event whose personal data does not decrypt, and stops there instead of showing garbage', async () => {
    const { id } = await api.open({ ownerName: 'Grace Tampered' });
    const { forged, position } = await forgeUndecryptableAccountOpened(scratch.pool, id);

    await eventually(async () => {
      const accounts = (await projections()).find((p) => p.name === 'accounts')!;
      expect(accounts.status).toBe('failed');
      expect(accounts.lastError).toContain(
        `event ${position} (AccountOpened): Personal data of AccountOpened in account-${forged} ` +
          'cannot be decrypted: its ciphertext failed authentication',
      );
    }, 20_000);
    const dead = await api.http().get('/admin/projections/accounts/dead-letters').expect(200);
    expect(dead.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ position: Number(position), attempts: 3 }),
      ]),
    );
    const read = await api.http().get(`/accounts/${forged}/events`);
    expect(read.status).toBe(500);
  });
});
