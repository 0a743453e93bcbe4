import type { RunningApp } from '../src/app.factory.js';
import { accountsApi, countBy, expectProblem } from './support/accounts-api.js';
import { startTestApp } from './support/test-app.js';

describe('accounts under concurrency', () => {
  let running: RunningApp;
  let api: ReturnType<typeof accountsApi>;

  beforeAll(async () => {
    running = await startTestApp();
    // A listening server: 50 requests in flight at once go over real sockets to one process.
    await running.app.listen(0, '127.0.0.1');
    api = accountsApi(running.app.getHttpServer());
  });
  afterAll(() => running.close());

  it('50 concurrent withdrawals of 10 from 100: exactly 10 succeed, 40 are refused and recorded, balance 0', async () => {
    const opened = await api.open({ initialDeposit: 100 });

    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        api
          .http()
          .post(`/accounts/${opened.id}/withdrawals`)
          .send({ amount: 10, description: `atm ${i}` }),
      ),
    );

    const statuses = countBy(responses, (r) => String(r.status));
    expect(statuses).toEqual({ '201': 10, '422': 40 });
    for (const refused of responses.filter((r) => r.status === 422)) {
      expect(expectProblem(refused, 422, 'insufficient-funds')).toMatchObject({
        balance: 0,
        amount: 10,
      });
    }
    const versions = responses.filter((r) => r.status === 201).map((r) => r.body.version as number);
    expect(new Set(versions).size).toBe(10);

    const events = await api.events(opened.id);
    expect(events).toHaveLength(2 + 50);
    expect(countBy(events, (e) => e.type)).toEqual({
      AccountOpened: 1,
      MoneyDeposited: 1,
      MoneyWithdrawn: 10,
      WithdrawalRejected: 40,
    });
    expect(events.map((e) => e.version)).toEqual(Array.from({ length: 52 }, (_, i) => i + 1));
    const last = events[events.length - 1];

    const account = await api.account(opened.id, last.position);
    expect(account).toMatchObject({ balance: 0, version: 52 });

    const { lines, pages } = await api.statement(opened.id, last.position, 7);
    expect(pages).toBeGreaterThan(1);
    expect(countBy(lines, (l) => l.kind)).toEqual({
      deposit: 1,
      withdrawal: 10,
      'rejected-withdrawal': 40,
    });
    expect(lines.map((l) => l.version)).toEqual(events.slice(1).map((e) => e.version));
    expect(lines[lines.length - 1].balanceAfter).toBe(0);
    let balance = 0;
    for (const line of lines) {
      balance +=
        line.kind === 'deposit' ? line.amount : line.kind === 'withdrawal' ? -line.amount : 0;
      expect(line.balanceAfter).toBe(balance);
      expect(line.balanceAfter).toBeGreaterThanOrEqual(0);
    }
  });

  it('concurrent deposits to one account all land: none lost, each its own version', async () => {
    const opened = await api.open();
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        api
          .http()
          .post(`/accounts/${opened.id}/deposits`)
          .send({ amount: i + 1 }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(30).fill(201));
    expect(new Set(responses.map((r) => r.body.version)).size).toBe(30);

    const last = Math.max(...responses.map((r) => r.body.position as number));
    expect(await api.account(opened.id, last)).toMatchObject({
      balance: (30 * 31) / 2,
      version: 31,
    });
  });

  describe('If-Match', () => {
    it('refuses a stale version with 409 naming currentVersion, and appends nothing', async () => {
      const opened = await api.open({ initialDeposit: 100 });
      await api.deposit(opened.id, 1);

      const res = await api
        .http()
        .post(`/accounts/${opened.id}/withdrawals`)
        .set('If-Match', '"2"')
        .send({ amount: 10 });

      expect(expectProblem(res, 409)).toMatchObject({ currentVersion: 3 });
      expect(await api.events(opened.id)).toHaveLength(3);
    });

    it('accepts the current version, and the response carries the next one', async () => {
      const opened = await api.open({ initialDeposit: 100 });
      const res = await api
        .http()
        .post(`/accounts/${opened.id}/deposits`)
        .set('If-Match', `"${opened.version}"`)
        .send({ amount: 1 })
        .expect(201);
      expect(res.body.version).toBe(opened.version + 1);

      const read = await api
        .http()
        .get(`/accounts/${opened.id}`)
        .query({ consistentWith: res.body.position })
        .expect(200);
      await api
        .http()
        .post(`/accounts/${opened.id}/withdrawals`)
        .set('If-Match', read.headers.etag)
        .send({ amount: 101 })
        .expect(201);
    });

    it('lets exactly one of several writers holding the same ETag through', async () => {
      const opened = await api.open({ initialDeposit: 100 });
      const responses = await Promise.all(
        Array.from({ length: 10 }, () =>
          api
            .http()
            .post(`/accounts/${opened.id}/deposits`)
            .set('If-Match', `"${opened.version}"`)
            .send({ amount: 5 }),
        ),
      );
      expect(countBy(responses, (r) => String(r.status))).toEqual({ '201': 1, '409': 9 });
      for (const conflict of responses.filter((r) => r.status === 409)) {
        expect(expectProblem(conflict, 409).currentVersion).toBe(3);
      }
      const events = await api.events(opened.id);
      expect(events).toHaveLength(3);
      expect((await api.account(opened.id, events[2].position)).balance).toBe(105);
    });

    it.each(['yesterday', 'W/"1"'])(
      'rejects If-Match %s (not a strong version) with 400',
      async (ifMatch) => {
        const opened = await api.open();
        const res = await api
          .http()
          .post(`/accounts/${opened.id}/deposits`)
          .set('If-Match', ifMatch)
          .send({ amount: 1 });
        expect(expectProblem(res, 400).errors).toEqual([
          expect.objectContaining({ field: 'if-match' }),
        ]);
      },
    );
  });
});
