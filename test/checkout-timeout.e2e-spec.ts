import { CommandBus, type ICommand } from '@nestjs/cqrs';
import { setTimeout as sleep } from 'node:timers/promises';
import { WithdrawMoneyCommand } from '../src/accounts/index.js';
import type { RunningApp } from '../src/app.factory.js';
import { accountsApi } from './support/accounts-api.js';
import { cartsApi } from './support/carts-api.js';
import { scratchDatabase, type ScratchDatabase } from './support/database.js';
import { eventually } from './support/eventually.js';
import { ordersApi, streamOf } from './support/orders-api.js';
import { startTestApp } from './support/test-app.js';

const TIMEOUT_MS = 2_000;

describe('checkout payment timeout', () => {
  let scratch: ScratchDatabase;
  let running: RunningApp;
  let bus: CommandBus;
  let execute: CommandBus['execute'];

  // A database of its own: the saga, with this timeout, must run in this app and nowhere else.
  beforeAll(async () => {
    scratch = await scratchDatabase();
    running = await startTestApp({
      databaseUrl: scratch.url,
      checkout: { paymentTimeoutMs: TIMEOUT_MS },
    });
    bus = running.app.get(CommandBus);
    execute = bus.execute.bind(bus);
  });
  afterEach(() => {
    bus.execute = execute;
  });
  afterAll(async () => {
    await running.close();
    await scratch.drop();
  });

  it('cancels the order unanswered at the deadline, and refunds the payment that lands after it', async () => {
    const server = running.app.getHttpServer();
    const accounts = accountsApi(server);
    const carts = cartsApi(server);
    const orders = ordersApi(server);

    // The accounts context is unreachable for the saga until well past the deadline; one of its attempts was
    // in fact received, and is carried out late.
    const release = Date.now() + 3 * TIMEOUT_MS;
    let attempts = 0;
    let late: Promise<unknown> | undefined;
    bus.execute = (async (command: ICommand) => {
      if (!(command instanceof WithdrawMoneyCommand) || Date.now() >= release)
        return execute(command);
      attempts += 1;
      late ??= sleep(release - Date.now()).then(() => execute(command));
      throw new Error('connect ETIMEDOUT accounts');
    }) as typeof bus.execute;

    const cart = await carts.ready([{ productId: 'sku-1', quantity: 1, unitPrice: 1_200 }]);
    const account = await accounts.open({ initialDeposit: 5_000 }, carts.tokenOf(cart.id));
    const { orderId } = await carts.checkOut(cart.id, account.id);

    const cancelled = await orders.order(orderId, (o) => o.status === 'cancelled');
    expect(cancelled.cancellation).toMatchObject({ reason: 'payment-timeout' });
    expect(cancelled.payment).toBeUndefined();
    expect(Date.now()).toBeLessThan(release);
    expect(attempts).toBeGreaterThanOrEqual(1);

    await late;
    const refunded = async () => {
      const checkout = (await streamOf(scratch.pool, `checkout-${orderId}`)).map((e) => e.type);
      expect(checkout).toEqual([
        'CheckoutStarted',
        'CheckoutDeadlineReached',
        'CheckoutPaymentTimedOut',
        'CheckoutRefundRequested',
        'CheckoutRefunded',
      ]);
    };
    await eventually(refunded, 15_000);

    const stream = await streamOf(scratch.pool, `account-${account.id}`);
    expect(stream.map((e) => e.type)).toEqual([
      'AccountOpened',
      'MoneyDeposited',
      'MoneyWithdrawn',
      'MoneyDeposited',
    ]);
    expect(stream[2].metadata).toMatchObject({ sagaId: orderId });
    expect(stream[3]).toMatchObject({
      data: { amount: 1_200, source: 'other' },
      metadata: { sagaId: orderId, actor: 'checkout-saga' },
    });
    await eventually(async () => {
      const res = await accounts.http().get(`/accounts/${account.id}`).expect(200);
      expect(res.body.balance).toBe(5_000);
    });
    // The order stays cancelled: a payment after the cancellation is refunded, never recorded.
    expect((await streamOf(scratch.pool, `order-${orderId}`)).map((e) => e.type)).toEqual([
      'OrderPlaced',
      'OrderCancelled',
    ]);
    expect((await orders.order(orderId)).status).toBe('cancelled');
    // The saga clears its pending refund when it handles its own CheckoutRefunded, a moment after the append.
    await eventually(async () => {
      const pending = await scratch.pool.query(
        'SELECT * FROM checkout_pending WHERE order_id = $1',
        [orderId],
      );
      expect(pending.rows).toEqual([]);
    });
  });

  it('sends a withdrawal that failed again, with the same command id: the order is paid once', async () => {
    const server = running.app.getHttpServer();
    const accounts = accountsApi(server);
    const carts = cartsApi(server);
    const orders = ordersApi(server);
    let attempts = 0;
    bus.execute = (async (command: ICommand) => {
      if (command instanceof WithdrawMoneyCommand && ++attempts === 1)
        throw new Error('read ECONNRESET');
      return execute(command);
    }) as typeof bus.execute;

    const cart = await carts.ready([{ productId: 'sku-1', quantity: 2, unitPrice: 1_000 }]);
    const account = await accounts.open({ initialDeposit: 5_000 }, carts.tokenOf(cart.id));
    const { orderId } = await carts.checkOut(cart.id, account.id);

    const paid = await orders.order(orderId, (o) => o.status === 'awaiting-shipment');
    expect(paid.payment).toMatchObject({ amount: 2_000 });
    expect(attempts).toBeGreaterThanOrEqual(2);
    const stream = await streamOf(scratch.pool, `account-${account.id}`);
    expect(stream.filter((e) => e.type === 'MoneyWithdrawn')).toHaveLength(1);
  });
});
