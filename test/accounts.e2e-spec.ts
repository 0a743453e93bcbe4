import type { RunningApp } from '../src/app.factory.js';
import { accountsApi, expectProblem, UUID } from './support/accounts-api.js';
import { startTestApp } from './support/test-app.js';

describe('accounts API', () => {
  let running: RunningApp;
  let api: ReturnType<typeof accountsApi>;

  beforeAll(async () => {
    running = await startTestApp();
    api = accountsApi(running.app.getHttpServer());
  });
  afterAll(() => running.close());

  describe('POST /accounts', () => {
    it('opens an account: 201 with id, version and position, and Location /accounts/<id>', async () => {
      const res = await api
        .http()
        .post('/accounts')
        .send({ ownerName: 'Grace Hopper', currency: 'USD' })
        .expect(201);

      expect(res.body).toEqual({
        id: expect.stringMatching(UUID),
        version: 1,
        position: expect.any(Number),
      });
      expect(res.headers.location).toBe(`/accounts/${res.body.id}`);

      const account = await api
        .http()
        .get(res.headers.location)
        .query({ consistentWith: res.body.position })
        .expect(200);
      expect(account.body).toEqual({
        id: res.body.id,
        ownerName: 'Grace Hopper',
        currency: 'USD',
        balance: 0,
        version: 1,
        openedAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(new Date(account.body.openedAt).toISOString()).toBe(account.body.openedAt);
    });

    it('opens with an initial deposit as a second event', async () => {
      const opened = await api.open({ initialDeposit: 10_000 });
      expect(opened.version).toBe(2);

      const account = await api.account(opened.id, opened.position);
      expect(account.balance).toBe(10_000);
      expect((await api.events(opened.id)).map((e) => e.type)).toEqual([
        'AccountOpened',
        'MoneyDeposited',
      ]);
    });

    it('gives every account its own id', async () => {
      const [a, b] = await Promise.all([api.open(), api.open()]);
      expect(a.id).not.toBe(b.id);
    });
  });

  describe('deposits and withdrawals', () => {
    it('deposits: 201 with the new version and a position after the previous one', async () => {
      const opened = await api.open();
      const res = await api
        .http()
        .post(`/accounts/${opened.id}/deposits`)
        .send({ amount: 2500, description: 'Salary' })
        .expect(201);

      expect(res.body).toEqual({ id: opened.id, version: 2, position: expect.any(Number) });
      expect(res.body.position).toBeGreaterThan(opened.position);
      const account = await api.account(opened.id, res.body.position);
      expect(account).toMatchObject({ balance: 2500, version: 2 });
    });

    it('withdraws what the balance covers: 201 and the balance goes down', async () => {
      const opened = await api.open({ initialDeposit: 1000 });
      const res = await api
        .http()
        .post(`/accounts/${opened.id}/withdrawals`)
        .send({ amount: 1000 })
        .expect(201);

      expect(res.body).toEqual({ id: opened.id, version: 3, position: expect.any(Number) });
      expect((await api.account(opened.id, res.body.position)).balance).toBe(0);
    });

    it('refuses a withdrawal beyond the balance with 422 insufficient-funds and records WithdrawalRejected', async () => {
      const opened = await api.open({ initialDeposit: 100 });
      const res = await api
        .http()
        .post(`/accounts/${opened.id}/withdrawals`)
        .send({ amount: 150, description: 'Rent' });

      const problem = expectProblem(res, 422, 'insufficient-funds');
      expect(problem).toMatchObject({
        balance: 100,
        amount: 150,
        instance: `/accounts/${opened.id}/withdrawals`,
      });

      const events = await api.events(opened.id);
      expect(events.map((e) => e.type)).toEqual([
        'AccountOpened',
        'MoneyDeposited',
        'WithdrawalRejected',
      ]);
      expect(events[2].data).toMatchObject({
        amount: 150,
        balance: 100,
        reason: 'insufficient-funds',
        description: 'Rent',
      });

      const account = await api.account(opened.id, events[2].position);
      expect(account).toMatchObject({ balance: 100, version: 3 });
    });
  });

  describe('GET /accounts/:id', () => {
    it('sends the version as a quoted ETag', async () => {
      const opened = await api.open({ initialDeposit: 5 });
      const res = await api
        .http()
        .get(`/accounts/${opened.id}`)
        .query({ consistentWith: opened.position })
        .expect(200);
      expect(res.headers.etag).toBe('"2"');
      expect(res.body.version).toBe(2);
    });

    it('never serves a stale balance right after a write with consistentWith', async () => {
      const opened = await api.open();
      for (let i = 1; i <= 10; i++) {
        const { position } = await api.deposit(opened.id, 7);
        const res = await api
          .http()
          .get(`/accounts/${opened.id}`)
          .query({ consistentWith: position })
          .expect(200);
        expect(res.body).toMatchObject({ balance: 7 * i, version: 1 + i });
      }
    });

    it('accepts the position as the X-Consistent-With header', async () => {
      const opened = await api.open();
      const { position } = await api.deposit(opened.id, 42);
      const res = await api
        .http()
        .get(`/accounts/${opened.id}`)
        .set('X-Consistent-With', String(position))
        .expect(200);
      expect(res.body).toMatchObject({ balance: 42, version: 2 });
      expect(res.headers.etag).toBe('"2"');
    });

    it('answers 400 for a position that no event holds', async () => {
      const opened = await api.open();
      const res = await api
        .http()
        .get(`/accounts/${opened.id}`)
        .query({ consistentWith: opened.position + 1_000_000 });
      expect(expectProblem(res, 400).detail).toMatch(String(opened.position + 1_000_000));
    });

    it('answers 400 for a position that is not a positive integer', async () => {
      const opened = await api.open();
      for (const bad of ['abc', '0', '-1', '1.5']) {
        const res = await api.http().get(`/accounts/${opened.id}`).query({ consistentWith: bad });
        expectProblem(res, 400);
      }
    });
  });
});
