import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { RunningApp } from '../src/app.factory.js';
import { PG_POOL, type Queryable } from '../src/event-store/index.js';
import { accountsApi, expectProblem, type Accepted } from './support/accounts-api.js';
import { customerToken, tokenFor } from './support/auth.js';
import { cartsApi } from './support/carts-api.js';
import request from './support/http.js';
import { ordersApi, streamOf } from './support/orders-api.js';
import { startTestApp } from './support/test-app.js';

/** One instant for every call, so that two answers can be compared to the letter. */
const NOW = new Date(Date.now() + 3_600_000).toISOString();

type Call = (http: ReturnType<typeof request>, id: string) => PromiseLike<{ status: number }>;

/** Every accounts route a customer may call on their own account, each as it would succeed for its owner. */
const OWN_ROUTES: Array<[string, Call]> = [
  ['GET the account', (http, id) => http.get(`/accounts/${id}`)],
  ['GET it read-your-writes', (http, id) => http.get(`/accounts/${id}?consistentWith=1`)],
  ['GET it as of an hour from now', (http, id) => http.get(`/accounts/${id}?asOf=${NOW}`)],
  // For its owner: 404 account-not-yet-opened with openedAt, which would tell that it exists.
  ['GET it as of 1970', (http, id) => http.get(`/accounts/${id}?asOf=1970-01-01T00:00:00Z`)],
  ['GET it at version 1', (http, id) => http.get(`/accounts/${id}?atVersion=1`)],
  // For its owner: 404 account-version-not-found with currentVersion.
  ['GET it at version 999', (http, id) => http.get(`/accounts/${id}?atVersion=999`)],
  ['GET its history', (http, id) => http.get(`/accounts/${id}/history`)],
  ['GET its transactions', (http, id) => http.get(`/accounts/${id}/transactions`)],
  ['deposit', (http, id) => http.post(`/accounts/${id}/deposits`).send({ amount: 1 })],
  ['withdraw', (http, id) => http.post(`/accounts/${id}/withdrawals`).send({ amount: 1 })],
  // For its owner: 422 insufficient-funds with the balance, and a WithdrawalRejected recorded.
  ['overdraw', (http, id) => http.post(`/accounts/${id}/withdrawals`).send({ amount: 10 ** 9 })],
  // For anyone: 409 with currentVersion when the version is not the current one.
  [
    'withdraw If-Match',
    (http, id) =>
      http.post(`/accounts/${id}/withdrawals`).set('If-Match', '"1"').send({ amount: 1 }),
  ],
  [
    'deposit If-Match',
    (http, id) => http.post(`/accounts/${id}/deposits`).set('If-Match', '"9"').send({ amount: 1 }),
  ],
  ['erase its personal data', (http, id) => http.delete(`/accounts/${id}/personal-data`)],
];

describe('accounts belong to the customer who opened them', () => {
  let running: RunningApp;
  let server: Server;
  let db: Queryable;
  let accounts: ReturnType<typeof accountsApi>;

  beforeAll(async () => {
    running = await startTestApp();
    server = running.app.getHttpServer();
    db = running.app.get(PG_POOL);
    accounts = accountsApi(server);
  });
  afterAll(() => running.close());

  const customer = () => {
    const id = randomUUID();
    return { id, token: customerToken(id), http: () => request(server, customerToken(id)) };
  };

  /** The problem as a client sees it, the account id in it replaced, to compare two accounts' answers. */
  async function answerOf(call: Call, token: string, id: string) {
    const res = (await call(request(server, token), id)) as Awaited<ReturnType<Call>> & {
      text: string;
      headers: Record<string, string>;
    };
    return {
      status: res.status,
      contentType: res.headers['content-type'],
      body: JSON.parse(res.text.replaceAll(id, '<id>').replaceAll(id.toUpperCase(), '<id>')),
    };
  }

  /** B's account with money in it, read once by the read model (so every read path has it). */
  async function accountOf(owner: { token: string }): Promise<Accepted> {
    const opened = await accounts.open({ initialDeposit: 5_000 }, owner.token);
    await accounts.account(opened.id, opened.position);
    return opened;
  }

  /** Its whole stream and its row, to show nothing happened to it. */
  const untouched = async (id: string) => ({
    events: (await streamOf(db, `account-${id}`)).map((e) => e.type),
    keys: (
      await db.query('SELECT count(*)::int AS n FROM personal_data_keys WHERE subject_id = $1', [
        id,
      ])
    ).rows,
  });

  describe("another customer's account answers exactly as one that does not exist", () => {
    it.each(OWN_ROUTES)(
      '%s: 404 account-not-found, the same answer as a random id',
      async (_, call) => {
        const [a, b] = [customer(), customer()];
        const account = await accountOf(b);
        const before = await untouched(account.id);

        const foreign = await answerOf(call, a.token, account.id);
        const missing = await answerOf(call, a.token, randomUUID());

        expect(foreign.status).toBe(404);
        expect(foreign.body).toMatchObject({ type: expect.stringMatching(/account-not-found$/) });
        expect(foreign).toEqual(missing);
        expect(await untouched(account.id)).toEqual(before);
      },
    );

    it('the id in capitals changes nothing', async () => {
      const [a, b] = [customer(), customer()];
      const account = await accountOf(b);
      const upper = account.id.toUpperCase();
      for (const [, call] of OWN_ROUTES) {
        const res = await call(a.http(), upper);
        expect(res.status).toBe(404);
      }
      expect(await accounts.account(account.id, account.position)).toMatchObject({
        balance: 5_000,
      });
    });

    it('its owner still sees it all, the money and the name as they were', async () => {
      const [a, b] = [customer(), customer()];
      const account = await accountOf(b);
      for (const [, call] of OWN_ROUTES) await call(a.http(), account.id);

      const own = await b.http().get(`/accounts/${account.id}`).expect(200);
      expect(own.body).toMatchObject({ ownerName: 'Ada Lovelace', balance: 5_000, version: 2 });
      await b.http().get(`/accounts/${account.id}/history`).expect(200);
      await b.http().get(`/accounts/${account.id}/transactions`).expect(200);
      await b.http().get(`/accounts/${account.id}?atVersion=1`).expect(200);
      await b.http().post(`/accounts/${account.id}/deposits`).send({ amount: 1 }).expect(201);
      await b.http().post(`/accounts/${account.id}/withdrawals`).send({ amount: 1 }).expect(201);
    });

    it('an Idempotency-Key replayed by another customer replays nothing of the owner', async () => {
      const [a, b] = [customer(), customer()];
      const account = await accountOf(b);
      const key = `salary-${randomUUID()}`;
      await b
        .http()
        .post(`/accounts/${account.id}/deposits`)
        .set('Idempotency-Key', key)
        .send({ amount: 100 })
        .expect(201);

      const replayed = await a
        .http()
        .post(`/accounts/${account.id}/deposits`)
        .set('Idempotency-Key', key)
        .send({ amount: 100 });

      expectProblem(replayed, 404, 'account-not-found');
      expect(replayed.headers['idempotent-replayed']).toBeUndefined();
    });

    it('the same Idempotency-Key opens one account for each customer, each their own', async () => {
      const [a, b] = [customer(), customer()];
      const key = `open-${randomUUID()}`;
      const open = (c: typeof a) =>
        c
          .http()
          .post('/accounts')
          .set('Idempotency-Key', key)
          .send({ ownerName: 'Ada', currency: 'EUR' });
      const [ofA, ofB] = [(await open(a)).body as Accepted, (await open(b)).body as Accepted];

      expect(ofA.id).not.toBe(ofB.id);
      await a.http().get(`/accounts/${ofA.id}`).query({ consistentWith: ofA.position }).expect(200);
      await b.http().get(`/accounts/${ofB.id}`).query({ consistentWith: ofB.position }).expect(200);
      await a.http().get(`/accounts/${ofB.id}`).query({ consistentWith: ofB.position }).expect(404);
      await b.http().get(`/accounts/${ofA.id}`).query({ consistentWith: ofA.position }).expect(404);
    });

    it('records the opener as the owner in AccountOpened', async () => {
      const b = customer();
      const account = await accountOf(b);
      const { rows } = await db.query(
        `SELECT schema_version, data->'ownerId' AS owner FROM events WHERE stream_id = $1 AND stream_version = 1`,
        [`account-${account.id}`],
      );
      expect(rows).toEqual([{ schema_version: 2, owner: b.id }]);
    });

    it('is readable by its opener the moment the read model has it, by nobody else meanwhile', async () => {
      const [a, b] = [customer(), customer()];
      const opened = await accounts.open({}, b.token);
      const reads = await Promise.all([
        b.http().get(`/accounts/${opened.id}`).query({ consistentWith: opened.position }),
        a.http().get(`/accounts/${opened.id}`).query({ consistentWith: opened.position }),
        a.http().get(`/accounts/${opened.id}`),
        a
          .http()
          .get(`/accounts/${opened.id}/transactions`)
          .query({ consistentWith: opened.position }),
      ]);
      expect(reads.map((r) => r.status)).toEqual([200, 404, 404, 404]);
    });
  });

  describe('staff reach every account, as ACCESS_POLICY says', () => {
    it('a teller moves money on it and reads it', async () => {
      const account = await accountOf(customer());
      const teller = request(server, tokenFor(`teller-${randomUUID()}`, ['teller']));
      await teller.post(`/accounts/${account.id}/deposits`).send({ amount: 10 }).expect(201);
      await teller.post(`/accounts/${account.id}/withdrawals`).send({ amount: 5 }).expect(201);
      await teller.get(`/accounts/${account.id}`).expect(200);
      await teller.get(`/accounts/${account.id}?atVersion=1`).expect(200);
      await teller.get(`/accounts/${account.id}/history`).expect(200);
      await teller.get(`/accounts/${account.id}/transactions`).expect(200);
      await teller.delete(`/accounts/${account.id}/personal-data`).expect(403);
    });

    it('an auditor reads it, raw events included, and moves no money', async () => {
      const account = await accountOf(customer());
      const auditor = request(server, tokenFor(`auditor-${randomUUID()}`, ['auditor']));
      await auditor.get(`/accounts/${account.id}`).expect(200);
      await auditor.get(`/accounts/${account.id}?atVersion=1`).expect(200);
      await auditor.get(`/accounts/${account.id}/history`).expect(200);
      await auditor.get(`/accounts/${account.id}/transactions`).expect(200);
      await auditor.get(`/accounts/${account.id}/events`).expect(200);
      await auditor.post(`/accounts/${account.id}/deposits`).send({ amount: 1 }).expect(403);
    });

    it("an admin erases anyone's personal data", async () => {
      const account = await accountOf(customer());
      const admin = request(server, tokenFor(`admin-${randomUUID()}`, ['admin']));
      await admin.delete(`/accounts/${account.id}/personal-data`).expect(200);
    });
  });

  describe('an account opened before accounts had owners is staff only', () => {
    /** AccountOpened exactly as the release before owners wrote it: schema version 1, no ownerId. */
    async function legacyAccount(): Promise<{ id: string; position: number }> {
      const id = randomUUID();
      const { rows } = await db.query(
        `INSERT INTO events (stream_id, stream_version, event_id, type, schema_version, data)
         VALUES ($1, 1, gen_random_uuid(), 'AccountOpened', 1,
           jsonb_build_object('accountId', $2::text, 'ownerName', 'Old Owner', 'currency', 'EUR'))
         RETURNING global_position AS position`,
        [`account-${id}`, id],
      );
      return { id, position: Number(rows[0].position) };
    }

    it('no customer reaches it, whatever route', async () => {
      const legacy = await legacyAccount();
      const staff = accounts.http();
      await staff
        .get(`/accounts/${legacy.id}`)
        .query({ consistentWith: legacy.position })
        .expect(200);
      const { rows } = await db.query('SELECT owner_id FROM account_balances WHERE id = $1', [
        legacy.id,
      ]);
      expect(rows).toEqual([{ owner_id: null }]);

      const a = customer();
      for (const [, call] of OWN_ROUTES) {
        expect(await answerOf(call, a.token, legacy.id)).toEqual(
          await answerOf(call, a.token, randomUUID()),
        );
      }
      expect((await streamOf(db, `account-${legacy.id}`)).map((e) => e.type)).toEqual([
        'AccountOpened',
      ]);
    });

    it('a teller and an auditor still do', async () => {
      const legacy = await legacyAccount();
      const teller = request(server, tokenFor(`teller-${randomUUID()}`, ['teller']));
      const auditor = request(server, tokenFor(`auditor-${randomUUID()}`, ['auditor']));
      const deposit = await teller
        .post(`/accounts/${legacy.id}/deposits`)
        .send({ amount: 70 })
        .expect(201);
      await teller.post(`/accounts/${legacy.id}/withdrawals`).send({ amount: 20 }).expect(201);
      const read = await auditor
        .get(`/accounts/${legacy.id}`)
        .query({ consistentWith: deposit.body.position + 1 })
        .expect(200);
      expect(read.body).toMatchObject({ ownerName: 'Old Owner', balance: 50 });
      await auditor.get(`/accounts/${legacy.id}/history`).expect(200);
      await auditor.get(`/accounts/${legacy.id}?atVersion=2`).expect(200);
    });
  });

  describe('a checkout pays only from an account of the cart’s customer', () => {
    it("declines the payment from someone else's account and withdraws nothing, as for no account", async () => {
      const carts = cartsApi(server);
      const orders = ordersApi(server);
      const victim = customer();
      const account = await accountOf(victim);
      const before = await untouched(account.id);

      const cart = await carts.ready([{ unitPrice: 1_000 }]);
      const { orderId } = await carts.checkOut(cart.id, account.id);
      const cancelled = await orders.order(orderId, (o) => o.status === 'cancelled');

      const missing = await carts.ready([{ unitPrice: 1_000 }]);
      const other = await carts.checkOut(missing.id, randomUUID());
      const noAccount = await orders.order(other.orderId, (o) => o.status === 'cancelled');

      expect(cancelled.cancellation).toMatchObject({
        reason: 'payment-declined',
        detail: 'account-not-found',
      });
      expect(cancelled.cancellation).toEqual({
        ...noAccount.cancellation,
        cancelledAt: cancelled.cancellation!.cancelledAt,
      });
      expect(cancelled.payment).toBeUndefined();
      expect(await untouched(account.id)).toEqual(before);
      const balance = await victim.http().get(`/accounts/${account.id}`).expect(200);
      expect(balance.body).toMatchObject({ balance: 5_000, version: 2 });
    });

    it('pays from the customer’s own account', async () => {
      const carts = cartsApi(server);
      const orders = ordersApi(server);
      const cart = await carts.ready([{ unitPrice: 1_000 }]);
      const account = await accounts.open({ initialDeposit: 5_000 }, carts.tokenOf(cart.id));
      const { orderId } = await carts.checkOut(cart.id, account.id);
      const paid = await orders.order(orderId, (o) => o.status === 'awaiting-shipment');
      expect(paid.payment).toMatchObject({ amount: 1_000 });
    });
  });
});
