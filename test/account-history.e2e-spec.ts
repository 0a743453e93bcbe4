import type { RunningApp } from '../src/app.factory.js';
import { TEST_CUSTOMER } from './support/auth.js';
import { accountsApi, UUID } from './support/accounts-api.js';
import { startTestApp } from './support/test-app.js';

describe('account history: statement and audit trail', () => {
  let running: RunningApp;
  let api: ReturnType<typeof accountsApi>;

  beforeAll(async () => {
    running = await startTestApp();
    api = accountsApi(running.app.getHttpServer());
  });
  afterAll(() => running.close());

  describe('money is integers', () => {
    it('takes a 10^12 deposit and keeps the balance exact, as a JSON integer', async () => {
      const opened = await api.open({ currency: 'JPY', initialDeposit: 1 });
      await api.deposit(opened.id, 1_000_000_000_000);
      const last = await api.deposit(opened.id, 1_000_000_000_000);

      const res = await api
        .http()
        .get(`/accounts/${opened.id}`)
        .query({ consistentWith: last.position })
        .expect(200);
      expect(res.text).toContain('"balance":2000000000001');
      expect(Number.isInteger(res.body.balance)).toBe(true);
      expect(res.body.balance).toBe(2_000_000_000_001);

      const { lines } = await api.statement(opened.id, last.position);
      expect(lines.map((l) => l.balanceAfter)).toEqual([1, 1_000_000_000_001, 2_000_000_000_001]);
      for (const line of lines)
        expect(Number.isInteger(line.amount) && Number.isInteger(line.balanceAfter)).toBe(true);
    });
  });

  describe('GET /accounts/:id/transactions', () => {
    it('pages the statement with nextCursor until null, in order, with the running balance', async () => {
      const opened = await api.open({ initialDeposit: 100 });
      await api.deposit(opened.id, 50, 'Gift');
      await api.withdraw(opened.id, 30);
      await api.http().post(`/accounts/${opened.id}/withdrawals`).send({ amount: 500 }).expect(422);
      await api.deposit(opened.id, 5);
      const last = await api.withdraw(opened.id, 125);

      const { lines, pages } = await api.statement(opened.id, last.position, 2);

      expect(pages).toBe(3);
      expect(lines.map((l) => [l.version, l.kind, l.amount, l.balanceAfter])).toEqual([
        [2, 'deposit', 100, 100],
        [3, 'deposit', 50, 150],
        [4, 'withdrawal', 30, 120],
        [5, 'rejected-withdrawal', 500, 120],
        [6, 'deposit', 5, 125],
        [7, 'withdrawal', 125, 0],
      ]);
      expect(lines[1].description).toBe('Gift');
      const positions = lines.map((l) => l.position);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    });

    it('answers a page past the end with no items and a null cursor', async () => {
      const opened = await api.open({ initialDeposit: 1 });
      const res = await api
        .http()
        .get(`/accounts/${opened.id}/transactions`)
        .query({ after: 99, consistentWith: opened.position })
        .expect(200);
      expect(res.body).toEqual({ items: [], nextCursor: null });
    });
  });

  describe('GET /accounts/:id/events', () => {
    it('records X-Correlation-Id and the token subject as the actor, with commandId as the causation', async () => {
      const opened = await api.open();
      await api
        .http()
        .post(`/accounts/${opened.id}/deposits`)
        .set('X-Correlation-Id', 'checkout-7731')
        .send({ amount: 900 })
        .expect(201);

      const [openedEvent, deposited] = await api.events(opened.id);
      expect(deposited).toMatchObject({
        version: 2,
        type: 'MoneyDeposited',
        data: { accountId: opened.id, amount: 900 },
      });
      expect(deposited.metadata).toEqual(
        expect.objectContaining({
          commandId: expect.stringMatching(UUID),
          correlationId: 'checkout-7731',
          actor: TEST_CUSTOMER,
        }),
      );
      expect(deposited.metadata.causationId).toBe(deposited.metadata.commandId);
      expect(openedEvent.metadata).toMatchObject({
        actor: TEST_CUSTOMER,
        correlationId: openedEvent.metadata.commandId,
      });
    });

    it('reads the raw stream from a version, a page at a time', async () => {
      const opened = await api.open({ initialDeposit: 1 });
      await api.deposit(opened.id, 2);
      await api.deposit(opened.id, 3);

      const page = await api
        .http()
        .get(`/accounts/${opened.id}/events`)
        .query({ fromVersion: 2, limit: 2 })
        .expect(200);
      expect(page.body.items.map((e: { version: number }) => e.version)).toEqual([2, 3]);
      expect(page.body.nextFromVersion).toBe(4);
      expect(page.body.items[0]).toEqual(
        expect.objectContaining({
          eventId: expect.stringMatching(UUID),
          streamId: `account-${opened.id}`,
          type: 'MoneyDeposited',
          schemaVersion: 2,
          recordedAt: expect.any(String),
        }),
      );
      const rest = await api
        .http()
        .get(`/accounts/${opened.id}/events`)
        .query({ fromVersion: 4 })
        .expect(200);
      expect(rest.body.items.map((e: { data: { amount: number } }) => e.data.amount)).toEqual([3]);
      expect(rest.body.nextFromVersion).toBeNull();
    });

    it('shows a description sent as null as none, in the documented shape', async () => {
      const opened = await api.open();
      await api
        .http()
        .post(`/accounts/${opened.id}/deposits`)
        .send({ amount: 5, description: null })
        .expect(201);
      await api
        .http()
        .post(`/accounts/${opened.id}/withdrawals`)
        .send({ amount: 2, description: null })
        .expect(201);

      const history = await api.http().get(`/accounts/${opened.id}/history`).expect(200);

      const lines = history.body.items as Array<Record<string, unknown>>;
      expect(lines.map((line) => line.type)).toEqual([
        'AccountOpened',
        'MoneyDeposited',
        'MoneyWithdrawn',
      ]);
      for (const line of lines) expect(line).not.toHaveProperty('description');
    });
  });
});
