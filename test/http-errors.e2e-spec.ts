import { randomUUID } from 'node:crypto';
import type { RunningApp } from '../src/app.factory.js';
import { accountsApi, expectNoLeak, expectProblem, invalidFields } from './support/accounts-api.js';
import { startTestApp } from './support/test-app.js';

describe('HTTP errors are application/problem+json', () => {
  let running: RunningApp;
  let api: ReturnType<typeof accountsApi>;
  let accountId: string;

  beforeAll(async () => {
    running = await startTestApp();
    api = accountsApi(running.app.getHttpServer());
    accountId = (await api.open({ initialDeposit: 100 })).id;
  });
  afterAll(() => running.close());

  describe('400: every invalid field is named', () => {
    it('names each wrong-typed field of an account', async () => {
      const res = await api
        .http()
        .post('/accounts')
        .send({ ownerName: 42, currency: 'eur', initialDeposit: '100' });
      expect(invalidFields(res).sort()).toEqual(['currency', 'initialDeposit', 'ownerName']);
    });

    it('names missing required fields', async () => {
      const res = await api.http().post('/accounts').send({});
      expect(invalidFields(res).sort()).toEqual(['currency', 'ownerName']);
    });

    it('refuses a lower-case currency and an empty owner name', async () => {
      const res = await api.http().post('/accounts').send({ ownerName: '', currency: 'eur' });
      expect(invalidFields(res).sort()).toEqual(['currency', 'ownerName']);
    });

    it.each([
      ['zero', 0],
      ['a fraction', 1.5],
      ['negative', -10],
      ['past 10^12', 1_000_000_000_001],
      ['a numeric string', '100'],
      ['null', null],
    ])('refuses an amount that is %s, for deposits and withdrawals alike', async (_, amount) => {
      for (const kind of ['deposits', 'withdrawals']) {
        const res = await api.http().post(`/accounts/${accountId}/${kind}`).send({ amount });
        expect(invalidFields(res)).toEqual(['amount']);
      }
      expect(await api.events(accountId)).toHaveLength(2);
    });

    it('refuses an unknown field, naming it', async () => {
      const res = await api
        .http()
        .post(`/accounts/${accountId}/deposits`)
        .send({ amount: 10, currency: 'EUR' });
      expect(invalidFields(res)).toEqual(['currency']);
    });

    it('refuses a description of the wrong type', async () => {
      const res = await api
        .http()
        .post(`/accounts/${accountId}/deposits`)
        .send({ amount: 10, description: 7 });
      expect(invalidFields(res)).toEqual(['description']);
    });

    it('refuses a body that is a JSON array or scalar instead of an object', async () => {
      for (const body of ['[]', '[{"amount":10}]', '"hello"', '12']) {
        const res = await api
          .http()
          .post(`/accounts/${accountId}/deposits`)
          .set('Content-Type', 'application/json')
          .send(body);
        expectProblem(res, 400);
      }
      expect(await api.events(accountId)).toHaveLength(2);
    });

    it.each([
      ['GET', ''],
      ['GET', '/transactions'],
      ['GET', '/events'],
      ['POST', '/deposits'],
      ['POST', '/withdrawals'],
    ])(
      'refuses a malformed uuid in the path: %s /accounts/not-a-uuid%s',
      async (method, suffix) => {
        const path = `/accounts/not-a-uuid${suffix}`;
        const res =
          method === 'GET'
            ? await api.http().get(path)
            : await api.http().post(path).send({ amount: 1 });
        expect(invalidFields(res)).toEqual(['id']);
      },
    );

    it('refuses paging parameters out of range', async () => {
      const statement = (query: Record<string, string>) =>
        api.http().get(`/accounts/${accountId}/transactions`).query(query);
      expect(invalidFields(await statement({ limit: '0' }))).toEqual(['limit']);
      expect(invalidFields(await statement({ limit: '501' }))).toEqual(['limit']);
      expect(invalidFields(await statement({ limit: 'ten' }))).toEqual(['limit']);
      expect(invalidFields(await statement({ after: '-1' }))).toEqual(['after']);
      expect(invalidFields(await statement({ page: '2' }))).toEqual(['page']);
      expect(invalidFields(await statement({ after: '99999999999' }))).toEqual(['after']);
      await api
        .http()
        .get(`/accounts/${accountId}/transactions`)
        .query({ after: '2147483647' })
        .expect(200, { items: [], nextCursor: null });
      const events = (query: Record<string, string>) =>
        api.http().get(`/accounts/${accountId}/events`).query(query);
      expect(invalidFields(await events({ fromVersion: '0' }))).toEqual(['fromVersion']);
      expect(invalidFields(await events({ limit: '1001' }))).toEqual(['limit']);
      expect(invalidFields(await events({ fromVersion: '99999999999' }))).toEqual(['fromVersion']);
    });

    it('answers malformed JSON with 400', async () => {
      const res = await api
        .http()
        .post(`/accounts/${accountId}/deposits`)
        .set('Content-Type', 'application/json')
        .send('{"amount": 10,');
      expectProblem(res, 400, 'malformed-json');
    });
  });

  describe('404', () => {
    it('for an account that does not exist, on every route', async () => {
      const id = randomUUID();
      const responses = [
        await api.http().get(`/accounts/${id}`),
        await api.http().get(`/accounts/${id}/transactions`),
        await api.http().get(`/accounts/${id}/events`),
        await api.http().post(`/accounts/${id}/deposits`).send({ amount: 1 }),
        await api.http().post(`/accounts/${id}/withdrawals`).send({ amount: 1 }),
      ];
      for (const res of responses)
        expect(expectProblem(res, 404, 'account-not-found').detail).toContain(id);
      expect((await api.http().get(`/accounts/${id}/events`)).status).toBe(404);
    });

    it('for a route that does not exist', async () => {
      expectProblem(await api.http().get('/nope'), 404);
      expectProblem(await api.http().delete(`/accounts/${accountId}`), 404);
    });
  });

  describe('409', () => {
    it('for a stale If-Match, with currentVersion', async () => {
      const res = await api
        .http()
        .post(`/accounts/${accountId}/deposits`)
        .set('If-Match', '"1"')
        .send({ amount: 1 });
      expect(expectProblem(res, 409)).toMatchObject({ currentVersion: 2 });
    });
  });

  describe('413, 415', () => {
    it('413 for a body over the 100 KiB limit, and nothing is written', async () => {
      const res = await api
        .http()
        .post(`/accounts/${accountId}/deposits`)
        .send({ amount: 10, description: 'x'.repeat(101 * 1024) });
      expectProblem(res, 413, 'payload-too-large');
      expect(await api.events(accountId)).toHaveLength(2);
    });

    it('415 for text/plain', async () => {
      const res = await api
        .http()
        .post(`/accounts/${accountId}/deposits`)
        .set('Content-Type', 'text/plain')
        .send('amount=10');
      expectProblem(res, 415, 'unsupported-media-type');
    });

    it('415 for a form-encoded body', async () => {
      const res = await api
        .http()
        .post('/accounts')
        .type('form')
        .send({ ownerName: 'Ada', currency: 'EUR' });
      expectProblem(res, 415);
    });
  });

  describe('422', () => {
    it('for a withdrawal beyond the balance, with balance and amount', async () => {
      const res = await api.http().post(`/accounts/${accountId}/withdrawals`).send({ amount: 101 });
      expect(expectProblem(res, 422, 'insufficient-funds')).toMatchObject({
        balance: 100,
        amount: 101,
        status: 422,
      });
    });
  });

  it('no error body carries a stack trace, SQL or a driver error', async () => {
    const hostile = [
      await api
        .http()
        .post('/accounts')
        .send({ ownerName: "'; DROP TABLE events; --", currency: 'ZZZ' }),
      await api.http().get(`/accounts/${accountId}`).query({ consistentWith: '999999999999999' }),
      await api.http().get(`/accounts/${accountId}`).set('X-Consistent-With', '9'.repeat(40)),
      await api.http().get(`/accounts/${accountId}/transactions`).query({ after: '99999999999' }),
      await api.http().get(`/accounts/${accountId}/events`).query({ fromVersion: '99999999999' }),
      await api
        .http()
        .post(`/accounts/${accountId}/deposits`)
        .set('X-Correlation-Id', 'bad correlation <script>')
        .send({ amount: 1 }),
      await api
        .http()
        .post(`/accounts/${accountId}/deposits`)
        .set('Idempotency-Key', 'k'.repeat(300))
        .send({ amount: 1 }),
      await api
        .http()
        .post(`/accounts/${accountId}/deposits`)
        .set('Content-Type', 'application/json')
        .send('{"amount":'),
    ];
    for (const res of hostile) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expectNoLeak(res.text);
    }
  });
});
