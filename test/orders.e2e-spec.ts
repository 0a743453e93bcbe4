import { randomUUID } from 'node:crypto';
import type { RunningApp } from '../src/app.factory.js';
import { PG_POOL, type Queryable } from '../src/event-store/index.js';
import { accountsApi, expectProblem, invalidFields } from './support/accounts-api.js';
import { cartsApi } from './support/carts-api.js';
import { ordersApi, streamOf } from './support/orders-api.js';
import { startTestApp } from './support/test-app.js';

describe('orders: checkout to shipped order', () => {
  let running: RunningApp;
  let db: Queryable;
  let accounts: ReturnType<typeof accountsApi>;
  let carts: ReturnType<typeof cartsApi>;
  let orders: ReturnType<typeof ordersApi>;

  beforeAll(async () => {
    running = await startTestApp();
    const server = running.app.getHttpServer();
    db = running.app.get(PG_POOL);
    accounts = accountsApi(server);
    carts = cartsApi(server);
    orders = ordersApi(server);
  });
  afterAll(() => running.close());

  const withdrawalsOf = async (accountId: string) =>
    (await streamOf(db, `account-${accountId}`)).filter((e) => e.type === 'MoneyWithdrawn');

  it('the happy path: placed from the checkout, paid once from the account, shipped on dispatch', async () => {
    const cart = await carts.ready([
      { productId: 'sku-1', quantity: 2, unitPrice: 1_500 },
      { productId: 'sku-2', quantity: 1, unitPrice: 999 },
    ]);
    const account = await carts.openAccountFor(cart.id, { initialDeposit: 10_000 });
    const { orderId } = await carts.checkOut(cart.id, account.id);

    const awaiting = await orders.order(orderId, (o) => o.status === 'awaiting-shipment');
    expect(awaiting).toMatchObject({
      id: orderId,
      cartId: cart.id,
      accountId: account.id,
      currency: 'EUR',
      total: 3_999,
      lines: [
        { productId: 'sku-1', quantity: 2, unitPrice: 1_500, lineTotal: 3_000 },
        { productId: 'sku-2', quantity: 1, unitPrice: 999, lineTotal: 999 },
      ],
      payment: { amount: 3_999, withdrawalPosition: expect.any(Number) },
      shipment: { id: expect.any(String) },
    });
    expect(awaiting.cancellation).toBeUndefined();

    const shipment = await orders.shipment(awaiting.shipment!.href);
    expect(shipment).toMatchObject({
      id: awaiting.shipment!.id,
      orderId,
      status: 'awaiting-dispatch',
    });

    const dispatched = await orders.dispatch(awaiting.shipment!.id);
    const after = await orders
      .http(dispatched.id)
      .get(`/shipments/${dispatched.id}`)
      .query({ consistentWith: dispatched.position })
      .expect(200);
    expect(after.body).toMatchObject({ status: 'dispatched', dispatchedAt: expect.any(String) });

    const shipped = await orders.order(orderId, (o) => o.status === 'shipped');
    expect(shipped.shipment).toMatchObject({
      id: awaiting.shipment!.id,
      shippedAt: expect.any(String),
    });

    const withdrawals = await withdrawalsOf(account.id);
    expect(withdrawals).toHaveLength(1);
    expect(withdrawals[0].data).toMatchObject({ amount: 3_999 });
    expect(withdrawals[0].metadata).toMatchObject({ sagaId: orderId });
    expect(Number(withdrawals[0].global_position)).toBe(awaiting.payment!.withdrawalPosition);
    const balance = await accounts.http().get(`/accounts/${account.id}`);
    expect(balance.body.balance).toBe(10_000 - 3_999);

    const orderStream = await streamOf(db, `order-${orderId}`);
    expect(orderStream.map((e) => e.type)).toEqual([
      'OrderPlaced',
      'PaymentProcessed',
      'OrderShipped',
    ]);
    // The address is personal data of the customer: stored encrypted, but for the country.
    expect(orderStream[0].data).toHaveProperty('$personal');
    expect(orderStream[0].data).toMatchObject({ shipping: { country: 'GB' } });
    expect(JSON.stringify(orderStream[0].data)).not.toMatch(/Lovelace|St James|London|SW1Y/);
    expect((await streamOf(db, `checkout-${orderId}`)).map((e) => e.type)).toEqual([
      'CheckoutStarted',
      'CheckoutPaymentReceived',
      'CheckoutCompleted',
    ]);

    // Dispatching again is refused; the order stays shipped once.
    const again = await orders.http().post(`/shipments/${dispatched.id}/dispatch`);
    expectProblem(again, 409, 'shipment-already-dispatched');
  });

  it('the declined path: insufficient funds cancel the order, the account unchanged, the refusal recorded', async () => {
    const cart = await carts.ready([{ productId: 'sku-1', quantity: 1, unitPrice: 1_000 }]);
    const account = await carts.openAccountFor(cart.id, { initialDeposit: 500 });
    const { orderId } = await carts.checkOut(cart.id, account.id);

    const cancelled = await orders.order(orderId, (o) => o.status === 'cancelled');
    expect(cancelled.cancellation).toMatchObject({
      reason: 'payment-declined',
      detail: 'insufficient-funds',
    });
    expect(cancelled.payment).toBeUndefined();
    expect(cancelled.shipment).toBeUndefined();

    const stream = await streamOf(db, `account-${account.id}`);
    expect(stream.map((e) => e.type)).toEqual([
      'AccountOpened',
      'MoneyDeposited',
      'WithdrawalRejected',
    ]);
    expect(stream[2].metadata).toMatchObject({ sagaId: orderId });
    expect((await accounts.http().get(`/accounts/${account.id}`)).body.balance).toBe(500);
    expect((await streamOf(db, `checkout-${orderId}`)).map((e) => e.type)).toEqual([
      'CheckoutStarted',
      'CheckoutPaymentDeclined',
    ]);
  });

  it("an account in another currency than the order's declines the payment: cancelled, the balance untouched", async () => {
    const cart = await carts.ready([{ productId: 'sku-1', quantity: 1, unitPrice: 1_000 }]);
    const account = await carts.openAccountFor(cart.id, {
      currency: 'USD',
      initialDeposit: 10_000,
    });
    const { orderId } = await carts.checkOut(cart.id, account.id);

    const cancelled = await orders.order(orderId, (o) => o.status === 'cancelled');
    expect(cancelled).toMatchObject({
      currency: 'EUR',
      cancellation: { reason: 'payment-declined', detail: 'currency-mismatch' },
    });
    expect(cancelled.payment).toBeUndefined();

    const stream = await streamOf(db, `account-${account.id}`);
    expect(stream.map((e) => e.type)).toEqual([
      'AccountOpened',
      'MoneyDeposited',
      'WithdrawalRejected',
    ]);
    expect(stream[2].data).toMatchObject({
      amount: 1_000,
      reason: 'currency-mismatch',
      currency: 'EUR',
      balance: 10_000,
    });
    expect(stream[2].metadata).toMatchObject({ sagaId: orderId });
    const balance = await accounts
      .http()
      .get(`/accounts/${account.id}`)
      .query({ consistentWith: Number(stream[2].global_position) });
    expect(balance.body).toMatchObject({ currency: 'USD', balance: 10_000 });
    expect((await streamOf(db, `checkout-${orderId}`)).map((e) => e.type)).toEqual([
      'CheckoutStarted',
      'CheckoutPaymentDeclined',
    ]);
  });

  it('an account that does not exist declines the payment too', async () => {
    const cart = await carts.ready();
    const { orderId } = await carts.checkOut(cart.id, randomUUID());
    const cancelled = await orders.order(orderId, (o) => o.status === 'cancelled');
    expect(cancelled.cancellation).toMatchObject({
      reason: 'payment-declined',
      detail: 'account-not-found',
    });
  });

  it('lists orders by status a page at a time, and counts them per status', async () => {
    const customer = randomUUID();
    const first = await carts.create(customer);
    const account = await carts.openAccountFor(first.id, { initialDeposit: 100_000 });
    const placed: string[] = [];
    for (let i = 0; i < 3; i++) {
      const cart = await carts.ready([{ unitPrice: 100 + i }], customer);
      placed.push((await carts.checkOut(cart.id, account.id)).orderId);
    }
    for (const id of placed) await orders.order(id, (o) => o.status === 'awaiting-shipment');

    const seen: string[] = [];
    let after = 0;
    for (let pages = 0; ; pages++) {
      const res = await orders
        .http()
        .get('/orders')
        .query({ status: 'awaiting-shipment', limit: 2, after })
        .expect(200);
      for (const item of res.body.items) expect(item.status).toBe('awaiting-shipment');
      seen.push(...res.body.items.map((o: { id: string }) => o.id));
      if (res.body.nextCursor === null) break;
      expect(res.body.items).toHaveLength(2);
      after = res.body.nextCursor;
      expect(pages).toBeLessThan(10_000);
    }
    expect(seen).toEqual(expect.arrayContaining(placed));
    expect(new Set(seen).size).toBe(seen.length);

    const report = await orders.http().get('/reports/orders-by-status').expect(200);
    expect(Object.keys(report.body.byStatus).sort()).toEqual(
      ['awaiting-shipment', 'cancelled', 'paid', 'placed', 'shipped'].sort(),
    );
    expect(report.body.byStatus['awaiting-shipment']).toBeGreaterThanOrEqual(3);
    expect(report.body.total).toBe(
      Object.values(report.body.byStatus as Record<string, number>).reduce((a, b) => a + b, 0),
    );
  });

  it('answers 400 for a bad status or limit, 404 for an unknown order or shipment', async () => {
    expect(invalidFields(await orders.http().get('/orders').query({ status: 'lost' }))).toEqual([
      'status',
    ]);
    expect(invalidFields(await orders.http().get('/orders').query({ limit: 501 }))).toEqual([
      'limit',
    ]);
    expectProblem(await orders.http().get(`/orders/${randomUUID()}`), 404, 'order-not-found');
    expectProblem(await orders.http().get(`/shipments/${randomUUID()}`), 404, 'shipment-not-found');
    expectProblem(
      await orders.http().post(`/shipments/${randomUUID()}/dispatch`),
      404,
      'shipment-not-found',
    );
  });
});
