import { randomUUID } from 'node:crypto';
import type { RunningApp } from '../src/app.factory.js';
import { PG_POOL, type Queryable } from '../src/event-store/index.js';
import request from './support/http.js';
import { accountsApi, expectProblem, invalidFields } from './support/accounts-api.js';
import { tokenFor } from './support/auth.js';
import { cartsApi } from './support/carts-api.js';
import { eventually } from './support/eventually.js';
import { ordersApi } from './support/orders-api.js';
import { startTestApp } from './support/test-app.js';

const AUDITOR = tokenFor('console-auditor', ['auditor']);
const ADMIN = tokenFor('console-admin', ['admin']);
const TELLER = tokenFor('console-teller', ['teller']);

interface Stream {
  streamId: string;
  category: string;
  version: number;
  lastType: string;
}
interface Event {
  eventId: string;
  streamId: string;
  version: number;
  position: number;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

describe('the console API: streams, their events, correlations, lag history', () => {
  let running: RunningApp;
  let db: Queryable;
  let accountId: string;
  let orderId: string;
  let shipmentId: string;
  const checkoutCorrelation = `checkout-${randomUUID()}`;
  const http = (token = AUDITOR) => request(running.app.getHttpServer(), token);
  const streams = async (query: Record<string, string | number>, token = AUDITOR) =>
    (await http(token).get('/streams').query(query).expect(200)).body as {
      streams: Stream[];
      next: string | null;
    };

  beforeAll(async () => {
    running = await startTestApp();
    db = running.app.get(PG_POOL);
    const server = running.app.getHttpServer();
    const opened = await accountsApi(server).open({ initialDeposit: 500 });
    accountId = opened.id;
    await accountsApi(server).deposit(accountId, 250);

    const carts = cartsApi(server);
    const cart = await carts.ready([{ productId: 'sku-1', quantity: 1, unitPrice: 1_200 }]);
    const payer = await carts.openAccountFor(cart.id, { initialDeposit: 5_000 });
    const correlationId = checkoutCorrelation;
    ({ orderId } = await carts.checkOut(cart.id, payer.id, { correlationId }));
    const order = await ordersApi(server).order(orderId, (o) => o.status === 'awaiting-shipment');
    shipmentId = order.shipment!.id;
    await ordersApi(server).dispatch(shipmentId);
    await ordersApi(server).order(orderId, (o) => o.status === 'shipped');
  });
  afterAll(() => running.close());

  it('lists its two projections in /admin/projections, caught up and live', async () => {
    await eventually(async () => {
      const { body } = await http().get('/admin/projections').expect(200);
      for (const name of ['stream-catalog', 'correlation-events']) {
        const status = body.projections.find((p: { name: string }) => p.name === name);
        expect(status).toMatchObject({ status: 'live', lagEvents: 0, lastError: null });
      }
    }, 15_000);
  });

  it('finds streams by id prefix, by category and by event type, ordered by id, a page at a time', async () => {
    const account = `account-${accountId}`;
    await eventually(async () => {
      expect((await streams({ prefix: account })).streams).toEqual([
        {
          streamId: account,
          category: 'account',
          version: 3,
          lastType: 'MoneyDeposited',
          lastPosition: expect.any(Number),
          updatedAt: expect.any(String),
        },
      ]);
    });
    // The catalog takes the order's events in its own time (a run every 250 ms at most), and other suites' orders
    // may fill the first page: the prefix of this order's id narrows the search to it.
    await eventually(async () => {
      const found = await streams({
        category: 'order',
        type: 'OrderPlaced',
        prefix: `order-${orderId.slice(0, 13)}`,
      });
      expect(found.streams.map((s) => s.streamId)).toContain(`order-${orderId}`);
    });
    const orders = await streams({ category: 'order', type: 'OrderPlaced', prefix: 'order-' });
    expect(orders.streams.length).toBeGreaterThan(0);
    expect(orders.streams.every((s) => s.category === 'order')).toBe(true);
    const ids = orders.streams.map((s) => s.streamId);
    expect(ids).toEqual([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect((await streams({ prefix: account, type: 'MoneyWithdrawn' })).streams).toEqual([]);
    // LIKE's own characters match themselves.
    expect((await streams({ prefix: 'account%' })).streams).toEqual([]);
    expect((await streams({ prefix: 'account_' })).streams).toEqual([]);

    const first = await streams({ prefix: 'account-', limit: 1 });
    expect(first.streams).toHaveLength(1);
    expect(first.next).toBe(first.streams[0].streamId);
    const second = await streams({ prefix: 'account-', limit: 1, after: first.next! });
    expect(second.streams[0].streamId > first.streams[0].streamId).toBe(true);
    const last = await streams({ prefix: account, limit: 1 });
    expect(last.next).toBeNull();
    // A form's empty fields filter nothing.
    const empty = await streams({ prefix: '', category: '', type: '', after: '', limit: 1 });
    expect(empty).toEqual(await streams({ limit: 1 }));
  });

  it("pages a stream's events with their personal data decrypted, as GET /accounts/{id}/events shows them", async () => {
    const stream = `account-${accountId}`;
    const first = await http().get(`/streams/${stream}/events`).query({ limit: 1 }).expect(200);
    expect(first.body).toMatchObject({ streamId: stream, next: 2 });
    expect(first.body.events).toHaveLength(1);
    const rawOfAccount = await http()
      .get(`/accounts/${accountId}/events`)
      .query({ limit: 1 })
      .expect(200);
    expect(first.body.events).toEqual(rawOfAccount.body.items);
    expect(first.body.events[0]).toMatchObject({ type: 'AccountOpened', version: 1 });

    const rest = await http()
      .get(`/streams/${stream}/events`)
      .query({ fromVersion: 2 })
      .expect(200);
    expect(rest.body.next).toBeNull();
    expect(rest.body.events.map((e: Event) => [e.version, e.type])).toEqual([
      [2, 'MoneyDeposited'],
      [3, 'MoneyDeposited'],
    ]);
  });

  it("follows a checkout's correlation id across the cart, order, checkout, account and shipment streams", async () => {
    const path = `/correlations/${checkoutCorrelation}/events`;
    let events: Event[] = [];
    await eventually(async () => {
      const res = await http().get(path).expect(200);
      expect(res.body).toMatchObject({ correlationId: checkoutCorrelation, next: null });
      events = res.body.events;
      expect(events.map((e) => e.type)).toContain('CheckoutCompleted');
    }, 15_000);
    const categories = new Set(events.map((e) => e.streamId.split('-')[0]));
    expect([...categories].sort()).toEqual(['account', 'cart', 'checkout', 'order', 'shipment']);
    expect(events.every((e) => e.metadata.correlationId === checkoutCorrelation)).toBe(true);
    expect(events.map((e) => e.streamId)).toContain(`shipment-${shipmentId}`);
    const positions = events.map((e) => e.position);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    // Each event the checkout caused names its cause: an event of the same checkout, or the operator's dispatch.
    const byId = new Map(events.map((e) => [e.eventId, e]));
    const placed = events.find((e) => e.type === 'OrderPlaced')!;
    expect(byId.get(placed.metadata.causationId as string)?.type).toBe('CartCheckedOut');
    const withdrawn = events.find((e) => e.type === 'MoneyWithdrawn')!;
    expect(withdrawn.metadata).toMatchObject({ actor: 'checkout-saga', sagaId: orderId });
    expect(byId.get(withdrawn.metadata.causationId as string)?.type).toBe('OrderPlaced');

    const page = await http().get(path).query({ limit: 2 }).expect(200);
    expect(page.body.events).toEqual(events.slice(0, 2));
    expect(page.body.next).toBe(events[1].position);
    const next = await http().get(path).query({ after: page.body.next, limit: 100 }).expect(200);
    expect(next.body.events).toEqual(events.slice(2));

    const none = await http().get(`/correlations/${randomUUID()}/events`).expect(200);
    expect(none.body).toMatchObject({ events: [], next: null });
  });

  it("finds a command's own events by its id from the log at once, with no row in the correlation index", async () => {
    const accounts = accountsApi(running.app.getHttpServer());
    const { id } = await accounts.open({ initialDeposit: 100 });
    await accounts.deposit(id, 40);
    const stream = `account-${id}`;
    const { body } = await http().get(`/streams/${stream}/events`).expect(200);
    const [opened, initial, deposited] = body.events as Event[];
    const correlationId = deposited.metadata.correlationId as string;
    expect(correlationId).toBe(deposited.metadata.commandId);

    const found = await http().get(`/correlations/${correlationId}/events`).expect(200);
    expect(found.body).toEqual({ correlationId, events: [deposited], next: null });
    // Opening with a first deposit is one command: two events.
    const opening = await http()
      .get(`/correlations/${opened.metadata.commandId}/events`)
      .expect(200);
    expect(opening.body.events).toEqual([opened, initial]);
    const firstOfTwo = await http()
      .get(`/correlations/${opened.metadata.commandId}/events`)
      .query({ limit: 1 })
      .expect(200);
    expect(firstOfTwo.body).toMatchObject({ events: [opened], next: opened.position });
    const secondOfTwo = await http()
      .get(`/correlations/${opened.metadata.commandId}/events`)
      .query({ limit: 1, after: opened.position })
      .expect(200);
    expect(secondOfTwo.body).toMatchObject({ events: [initial], next: null });
    // The catalog's head of a stream is the log's, the moment the stream is catalogued.
    await eventually(async () =>
      expect((await streams({ prefix: stream })).streams).toMatchObject([
        {
          streamId: stream,
          version: 3,
          lastType: 'MoneyDeposited',
          lastPosition: deposited.position,
        },
      ]),
    );
    await accounts.deposit(id, 2);
    expect((await streams({ prefix: stream })).streams).toMatchObject([{ version: 4 }]);

    await eventually(async () => {
      const { rows } = await db.query(
        `SELECT global_position::int AS at FROM projection_checkpoints WHERE name = 'correlation-events'`,
      );
      expect(rows[0].at).toBeGreaterThanOrEqual(deposited.position);
    });
    const { rows } = await db.query(
      `SELECT count(*)::int AS n FROM correlation_events WHERE correlation_key = $1`,
      [correlationId],
    );
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('finds a free-text correlation id, and stores only its pseudonym', async () => {
    const correlationId = `ada.lovelace.${randomUUID().slice(0, 8)}@example.com`;
    await accountsApi(running.app.getHttpServer())
      .http()
      .post(`/accounts/${accountId}/deposits`)
      .set('X-Correlation-Id', correlationId)
      .send({ amount: 10 })
      .expect(201);
    await eventually(async () => {
      const res = await http()
        .get(`/correlations/${encodeURIComponent(correlationId)}/events`)
        .expect(200);
      expect(res.body.events.map((e: Event) => [e.streamId, e.type])).toEqual([
        [`account-${accountId}`, 'MoneyDeposited'],
      ]);
    });
    const { rows } = await db.query(
      `SELECT count(*)::int AS n FROM correlation_events WHERE correlation_key = $1`,
      [correlationId],
    );
    expect(rows).toEqual([{ n: 0 }]);
  });

  it("reads every projection's lag history, sampled every 5 s", async () => {
    await eventually(async () => {
      const { body } = await http(ADMIN).get('/admin/projections/lag-history').expect(200);
      expect(body.intervalMs).toBe(5000);
      const catalog = body.projections.find((p: { name: string }) => p.name === 'stream-catalog');
      expect(catalog.samples.length).toBeGreaterThan(0);
      expect(catalog.samples[0]).toEqual({
        at: expect.any(String),
        lagEvents: expect.any(Number),
        lagMs: expect.any(Number),
        position: expect.any(Number),
      });
    }, 12_000);
  });

  it('answers a bad page, an unstorable string or an unknown stream with a documented problem', async () => {
    for (const limit of ['0', '101', '-1', 'x', '1.5', '1e9']) {
      expect(invalidFields(await http().get('/streams').query({ limit }))).toEqual(['limit']);
      expect(
        invalidFields(await http().get(`/streams/account-${accountId}/events`).query({ limit })),
      ).toEqual(['limit']);
      expect(
        invalidFields(await http().get(`/correlations/${orderId}/events`).query({ limit })),
      ).toEqual(['limit']);
    }
    expect(invalidFields(await http().get('/streams?prefix=account%00'))).toEqual(['prefix']);
    expect(invalidFields(await http().get('/streams?type=%00'))).toEqual(['type']);
    // A lone surrogate cannot reach a query (bytes that are not UTF-8 are kept as the literal text); in a path it is
    // refused before any query runs.
    expect((await streams({ category: '%ED%A0%80' })).streams).toEqual([]);
    expectProblem(await http().get('/streams/account-%ED%A0%80/events'), 400);
    expectProblem(await http().get('/correlations/%ED%A0%80/events'), 400);
    expect(invalidFields(await http().get('/streams?prefix=a&prefix=b'))).toEqual(['prefix']);
    expect(
      invalidFields(
        await http()
          .get('/streams')
          .query({ prefix: 'x'.repeat(501) }),
      ),
    ).toEqual(['prefix']);
    expect(invalidFields(await http().get('/streams').query({ unknown: 'x' }))).toEqual([
      'unknown',
    ]);
    expect(
      invalidFields(await http().get(`/streams/account-${accountId}/events?fromVersion=0`)),
    ).toEqual(['fromVersion']);
    expect(invalidFields(await http().get(`/correlations/${orderId}/events?after=-1`))).toEqual([
      'after',
    ]);
    expectProblem(await http().get('/streams/account-x%00/events'), 400);
    expectProblem(await http().get('/correlations/x%00/events'), 400);
    const unknown = expectProblem(
      await http().get(`/streams/account-${randomUUID()}/events`),
      404,
      'stream-not-found',
    );
    expect(unknown.detail).toMatch(/^No stream "account-/);
  });

  it('lets staff search streams, and only auditors read their events (personal data in clear)', async () => {
    const customer = tokenFor(randomUUID(), ['customer']);
    for (const token of [customer, TELLER]) {
      expectProblem(await http(token).get('/streams'), 403, 'forbidden');
      expectProblem(await http(token).get('/admin/projections/lag-history'), 403, 'forbidden');
    }
    for (const token of [customer, TELLER, ADMIN]) {
      expectProblem(
        await http(token).get(`/streams/account-${accountId}/events`),
        403,
        'forbidden',
      );
      expectProblem(await http(token).get(`/correlations/${orderId}/events`), 403, 'forbidden');
    }
    await streams({ prefix: `account-${accountId}` }, ADMIN);
    expectProblem(await http().get('/streams').unset('Authorization'), 401, 'unauthorized');
  });

  it('rebuilds the stream catalog from the log and reports it live once swapped in', async () => {
    await http(ADMIN).post('/admin/projections/stream-catalog/rebuild').expect(202);
    await eventually(async () => {
      const { body } = await http().get('/admin/projections').expect(200);
      const status = body.projections.find((p: { name: string }) => p.name === 'stream-catalog');
      expect(status).toMatchObject({ status: 'live', rebuild: null, lagEvents: 0 });
    }, 20_000);
    const [account] = (await streams({ prefix: `account-${accountId}` })).streams;
    expect(account).toMatchObject({ version: 4, lastType: 'MoneyDeposited' });
    expect(
      (await streams({ prefix: `account-${accountId}`, type: 'AccountOpened' })).streams,
    ).toHaveLength(1);
  });
});
