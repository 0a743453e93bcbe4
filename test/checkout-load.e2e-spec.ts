import { randomUUID } from 'node:crypto';
import type { RunningApp } from '../src/app.factory.js';
import { checkoutCommandId } from '../src/orders/checkout/checkout-ids.js';
import { accountsApi } from './support/accounts-api.js';
import { customerToken } from './support/auth.js';
import { cartsApi } from './support/carts-api.js';
import { scratchDatabase, type ScratchDatabase } from './support/database.js';
import { eventually } from './support/eventually.js';
import { startTestApp } from './support/test-app.js';

const ACCOUNTS = 20;
const CHECKOUTS = 200;
const FUNDS = 6_000;

/** Runs `work` over `items`, `limit` at a time. */
async function inLanes<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>) {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: limit }, lane));
  return results;
}

describe('200 concurrent checkouts against 20 accounts with limited funds', () => {
  let scratch: ScratchDatabase;
  let running: RunningApp;

  beforeAll(async () => {
    scratch = await scratchDatabase(5);
    running = await startTestApp({ databaseUrl: scratch.url });
  });
  afterAll(async () => {
    await running.close();
    await scratch.drop();
  });

  it('overdraws no account, settles every order, and pays each paid order with exactly one withdrawal', async () => {
    const started = Date.now();
    const server = running.app.getHttpServer();
    const accounts = accountsApi(server);
    const carts = cartsApi(server);
    const query = async <T>(sql: string, params: unknown[] = []) =>
      (await scratch.pool.query(sql, params)).rows as T[];

    // One customer per account, whose carts pay from it: a checkout pays only from its customer's account.
    const customers = [...Array(ACCOUNTS).keys()].map(() => randomUUID());
    const accountIds = (
      await inLanes(customers, 10, (customer) =>
        accounts.open({ initialDeposit: FUNDS }, customerToken(customer)),
      )
    ).map((a) => a.id);
    // Ten orders per account of 500 to 1,490: about twice what each account holds.
    const plans = [...Array(CHECKOUTS).keys()].map((i) => ({
      accountId: accountIds[i % ACCOUNTS],
      customer: customers[i % ACCOUNTS],
      unitPrice: 500 + ((i * 37) % 100) * 10,
    }));
    const ready = await inLanes(plans, 16, async (plan) => {
      const cart = await carts.ready(
        [{ productId: 'sku-1', quantity: 1, unitPrice: plan.unitPrice }],
        plan.customer,
      );
      return { ...plan, cartId: cart.id };
    });
    const prepared = Date.now();

    const checkouts = await Promise.all(
      ready.map(async (plan) => ({
        ...plan,
        ...(await carts.checkOut(plan.cartId, plan.accountId)),
      })),
    );
    const orderIds = checkouts.map((c) => c.orderId);

    // Every order settles: paid and awaiting shipment, or cancelled.
    await eventually(async () => {
      const open = await query<{ n: number }>(
        `SELECT count(*)::int AS n FROM orders
         WHERE id = ANY($1) AND status IN ('awaiting-shipment', 'shipped', 'cancelled')`,
        [orderIds],
      );
      expect(open[0].n).toBe(CHECKOUTS);
    }, 45_000);
    const settled = Date.now();

    const orders = await query<{
      id: string;
      status: string;
      account_id: string;
      total: string;
      withdrawal_position: string | null;
      cancellation_reason: string | null;
    }>(
      `SELECT id, status, account_id, total, withdrawal_position, cancellation_reason FROM orders
       WHERE id = ANY($1)`,
      [orderIds],
    );
    const paid = orders.filter((o) => o.status !== 'cancelled');
    const cancelled = orders.filter((o) => o.status === 'cancelled');
    expect(paid.length).toBeGreaterThan(0);
    expect(cancelled.length).toBeGreaterThan(0);
    for (const order of cancelled) expect(order.cancellation_reason).toBe('payment-declined');

    const events = await query<{
      stream_id: string;
      type: string;
      data: { accountId: string; amount: number };
      metadata: { sagaId?: string; commandId?: string };
      global_position: string;
    }>(
      `SELECT stream_id, type, data, metadata, global_position FROM events
       WHERE stream_id = ANY($1) ORDER BY stream_version`,
      [accountIds.map((id) => `account-${id}`)],
    );
    const withdrawals = events.filter((e) => e.type === 'MoneyWithdrawn');
    const rejections = events.filter((e) => e.type === 'WithdrawalRejected');

    // Paid orders and withdrawals, one for one: each withdrawal is the saga's, for a paid order, of its total.
    expect(withdrawals).toHaveLength(paid.length);
    const paidById = new Map(paid.map((o) => [o.id, o]));
    for (const w of withdrawals) {
      const order = paidById.get(w.metadata.sagaId!);
      expect(order).toBeDefined();
      expect(w.metadata.commandId).toBe(checkoutCommandId(order!.id, 'withdraw'));
      expect(w.data.amount).toBe(Number(order!.total));
      expect(Number(w.global_position)).toBe(Number(order!.withdrawal_position));
      paidById.delete(order!.id);
    }
    expect(paidById.size).toBe(0);
    // Every cancelled order was refused once, on the record.
    expect(rejections.map((r) => r.metadata.sagaId).sort()).toEqual(
      cancelled.map((o) => o.id).sort(),
    );

    // No account overdrawn; the ledger folds to the read model's balances (a projection of its own: it may
    // still be applying the last withdrawals when the orders read model is settled).
    for (const id of accountIds) {
      const debited = withdrawals
        .filter((w) => w.data.accountId === id)
        .reduce((sum, w) => sum + w.data.amount, 0);
      const paidTotal = paid
        .filter((o) => o.account_id === id)
        .reduce((sum, o) => sum + Number(o.total), 0);
      expect(debited).toBe(paidTotal);
      expect(FUNDS - debited).toBeGreaterThanOrEqual(0);
    }
    await eventually(async () => {
      const balances = await query<{ id: string; balance: string }>(
        'SELECT id, balance FROM account_balances WHERE id = ANY($1)',
        [accountIds],
      );
      expect(balances).toHaveLength(ACCOUNTS);
      for (const { id, balance } of balances) {
        const debited = withdrawals
          .filter((w) => w.data.accountId === id)
          .reduce((sum, w) => sum + w.data.amount, 0);
        expect(Number(balance)).toBe(FUNDS - debited);
      }
    });

    // One shipment per paid order, none for a cancelled one (the shipments read model, another projection);
    // dispatching some ships exactly those.
    let shipments: Array<{ id: string; order_id: string }> = [];
    await eventually(async () => {
      shipments = await query<{ id: string; order_id: string }>(
        'SELECT id, order_id FROM shipments WHERE order_id = ANY($1)',
        [orderIds],
      );
      expect(shipments.map((s) => s.order_id).sort()).toEqual(paid.map((o) => o.id).sort());
    });
    const dispatched = shipments.slice(0, 20);
    await Promise.all(
      dispatched.map((s) => accounts.http().post(`/shipments/${s.id}/dispatch`).expect(200)),
    );
    await eventually(async () => {
      const shipped = await query<{ id: string }>(
        `SELECT id FROM orders WHERE id = ANY($1) AND status = 'shipped'`,
        [orderIds],
      );
      expect(shipped.map((o) => o.id).sort()).toEqual(dispatched.map((s) => s.order_id).sort());
    }, 15_000);

    const report = await accounts.http().get('/reports/orders-by-status').expect(200);
    expect(report.body.byStatus).toEqual({
      placed: 0,
      paid: 0,
      'awaiting-shipment': paid.length - dispatched.length,
      shipped: dispatched.length,
      cancelled: cancelled.length,
    });
    expect(report.body.total).toBe(CHECKOUTS);

    const timings = { prepareMs: prepared - started, settleMs: settled - prepared };
    process.stdout.write(
      `\ncheckout load: ${paid.length} paid, ${cancelled.length} declined; ${JSON.stringify(timings)}\n`,
    );
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 90_000);
});
