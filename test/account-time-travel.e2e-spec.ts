import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningApp } from '../src/app.factory.js';
import { accountsApi, expectProblem, invalidFields } from './support/accounts-api.js';
import { startTestApp } from './support/test-app.js';

describe('time travel: the account at an instant or a version, and its balance history', () => {
  let running: RunningApp;
  let api: ReturnType<typeof accountsApi>;

  beforeAll(async () => {
    running = await startTestApp();
    api = accountsApi(running.app.getHttpServer());
  });
  afterAll(() => running.close());

  const at = (id: string, query: Record<string, unknown>) =>
    api.http().get(`/accounts/${id}`).query(query);
  const recordedAt = async (id: string) =>
    (await api.events(id)).map((e) => (e as unknown as { recordedAt: string }).recordedAt);

  describe('GET /accounts/:id?asOf=', () => {
    it('answers the balance of an instant between two deposits, with the last event applied', async () => {
      const opened = await api.open({ initialDeposit: 100 });
      await api.deposit(opened.id, 50);
      await sleep(20);
      const between = new Date();
      await sleep(20);
      await api.deposit(opened.id, 25);
      const times = await recordedAt(opened.id);

      const res = await at(opened.id, { asOf: between.toISOString() }).expect(200);

      expect(res.body).toEqual({
        id: opened.id,
        ownerName: 'Ada Lovelace',
        currency: 'EUR',
        balance: 150,
        version: 3,
        openedAt: times[0],
        updatedAt: times[2],
        recordedAt: times[2],
      });
      expect(res.headers.etag).toBeUndefined();
      const now = await at(opened.id, { asOf: new Date(Date.now() + 60_000).toISOString() });
      expect(now.body).toMatchObject({ balance: 175, version: 4 });
    });

    it("includes an event recorded exactly at the instant, in any zone's notation", async () => {
      const opened = await api.open({ initialDeposit: 7 });
      const [, deposited] = await recordedAt(opened.id);
      const instant = new Date(deposited);
      const plusTwo = new Date(instant.getTime() + 2 * 3600_000)
        .toISOString()
        .replace('Z', '+02:00');

      for (const asOf of [deposited, plusTwo]) {
        const res = await at(opened.id, { asOf }).expect(200);
        expect(res.body).toMatchObject({ balance: 7, version: 2, recordedAt: deposited });
      }
    });

    it('answers 404 with the opening time for an instant before the account was opened', async () => {
      const before = new Date(Date.now() - 1000).toISOString();
      const opened = await api.open();
      const [openedAt] = await recordedAt(opened.id);

      const body = expectProblem(
        await at(opened.id, { asOf: before }),
        404,
        'account-not-yet-opened',
      );
      expect(body).toMatchObject({ asOf: before, openedAt });
      expect(body.detail).toContain(`was opened at ${openedAt}`);

      const unknown = '7d2b1a52-8d3e-4c7b-9a51-2b7e4d9c0f11';
      expectProblem(await at(unknown, { asOf: before }), 404, 'account-not-found');
    });

    it.each(['2026-11-22', '2026-11-22T09:00:00', '2026-02-30T09:00:00Z', 'yesterday'])(
      'refuses %p, which is not an instant',
      async (asOf) => {
        const opened = await api.open();
        expect(invalidFields(await at(opened.id, { asOf }))).toContain('asOf');
      },
    );
  });

  describe('GET /accounts/:id?atVersion=', () => {
    it('answers the account right after the event at that version', async () => {
      const opened = await api.open({ initialDeposit: 100 });
      await api.withdraw(opened.id, 40);
      await api.deposit(opened.id, 5);
      const times = await recordedAt(opened.id);

      const res = await at(opened.id, { atVersion: 3 }).expect(200);

      expect(res.body).toMatchObject({ balance: 60, version: 3, recordedAt: times[2] });
      expect((await at(opened.id, { atVersion: 1 }).expect(200)).body).toMatchObject({
        balance: 0,
        version: 1,
        recordedAt: times[0],
      });
    });

    it('answers 404 with the current version for a version the account has not reached', async () => {
      const opened = await api.open({ initialDeposit: 1 });
      const body = expectProblem(
        await at(opened.id, { atVersion: 3 }),
        404,
        'account-version-not-found',
      );
      expect(body).toMatchObject({ version: 3, currentVersion: 2 });
      expect(invalidFields(await at(opened.id, { atVersion: 0 }))).toEqual(['atVersion']);
    });

    it('refuses asOf and atVersion together, naming both', async () => {
      const opened = await api.open();
      const res = await at(opened.id, { asOf: new Date().toISOString(), atVersion: 1 });
      expect(invalidFields(res)).toEqual(['asOf', 'atVersion']);
    });
  });

  describe('GET /accounts/:id/history', () => {
    it('gives the balance after every event, a rejected withdrawal with its reason included', async () => {
      const opened = await api.open({ initialDeposit: 100 });
      await api
        .http()
        .post(`/accounts/${opened.id}/deposits`)
        .send({ amount: 50, source: 'card', description: 'Gift' })
        .expect(201);
      await api.withdraw(opened.id, 30);
      await api.http().post(`/accounts/${opened.id}/withdrawals`).send({ amount: 500 }).expect(422);
      await api.deposit(opened.id, 5);
      const events = await api.events(opened.id);

      const res = await api.http().get(`/accounts/${opened.id}/history`).expect(200);

      expect(res.body.nextFromVersion).toBeNull();
      expect(res.body.items).toEqual(
        [
          { version: 1, type: 'AccountOpened', balanceAfter: 0 },
          {
            version: 2,
            type: 'MoneyDeposited',
            amount: 100,
            balanceAfter: 100,
            source: 'unknown',
            description: 'Initial deposit',
          },
          {
            version: 3,
            type: 'MoneyDeposited',
            amount: 50,
            balanceAfter: 150,
            source: 'card',
            description: 'Gift',
          },
          { version: 4, type: 'MoneyWithdrawn', amount: 30, balanceAfter: 120 },
          {
            version: 5,
            type: 'WithdrawalRejected',
            amount: 500,
            balanceAfter: 120,
            reason: 'insufficient-funds',
          },
          { version: 6, type: 'MoneyDeposited', amount: 5, balanceAfter: 125, source: 'unknown' },
        ].map((line, i) => ({
          ...line,
          position: events[i].position,
          recordedAt: (events[i] as unknown as { recordedAt: string }).recordedAt,
        })),
      );
    });

    it('pages with fromVersion and limit, carrying the balance across pages', async () => {
      const opened = await api.open({ initialDeposit: 1 });
      for (const amount of [2, 3, 4]) await api.deposit(opened.id, amount);
      const page = (fromVersion: number) =>
        api
          .http()
          .get(`/accounts/${opened.id}/history`)
          .query({ fromVersion, limit: 2 })
          .expect(200);

      const first = (await page(1)).body;
      const second = (await page(first.nextFromVersion)).body;
      const third = (await page(second.nextFromVersion)).body;

      expect(
        [first, second, third].map((p) =>
          p.items.map((l: { balanceAfter: number }) => l.balanceAfter),
        ),
      ).toEqual([[0, 1], [3, 6], [10]]);
      expect([first.nextFromVersion, second.nextFromVersion, third.nextFromVersion]).toEqual([
        3,
        5,
        null,
      ]);
      expect(
        invalidFields(
          await api.http().get(`/accounts/${opened.id}/history`).query({ limit: 1001 }),
        ),
      ).toEqual(['limit']);
    });

    it('answers 404 for an account that does not exist', async () => {
      const res = await api.http().get('/accounts/7d2b1a52-8d3e-4c7b-9a51-2b7e4d9c0f12/history');
      expectProblem(res, 404, 'account-not-found');
    });
  });
});
