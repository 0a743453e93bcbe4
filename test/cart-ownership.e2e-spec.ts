import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import type { RunningApp } from '../src/app.factory.js';
import { expectProblem } from './support/accounts-api.js';
import { customerToken, tokenFor } from './support/auth.js';
import { ADDRESS, cartsApi } from './support/carts-api.js';
import request from './support/http.js';
import { ordersApi, type OrderView } from './support/orders-api.js';
import { startTestApp } from './support/test-app.js';

/**
 * A customer reaches only their own carts, orders, shipments and personal data: anyone else's answers exactly as
 * a random id does (the same status, problem type and body shape), so even existence does not leak. Staff reach
 * what ACCESS_POLICY gives them.
 */
describe('ownership of carts, orders, shipments and personal data', () => {
  let running: RunningApp;
  let carts: ReturnType<typeof cartsApi>;
  let orders: ReturnType<typeof ordersApi>;
  const a = randomUUID();
  const b = randomUUID();
  const as = (token: string) => request(running.app.getHttpServer(), token);
  const auditor = tokenFor(randomUUID(), ['auditor']);
  const admin = tokenFor(randomUUID(), ['admin']);
  const teller = tokenFor(randomUUID(), ['teller']);
  /** B's cart checked out and shipped, and one still open. */
  let open: string;
  let order: OrderView;

  /** The body of a problem without what names the resource asked for (its id in detail and instance). */
  const shapeOf = (body: Record<string, unknown>, id: string) =>
    JSON.parse(JSON.stringify(body).replaceAll(id, '<id>').replaceAll(id.toUpperCase(), '<id>'));

  type Send = (http: ReturnType<typeof as>, id: string) => PromiseLike<Response>;

  /** What `token` gets sending `send` about B's `id`, and about a random id: the same 404. */
  async function answersAsMissing(token: string, send: Send, id: string, type: string) {
    const theirs = await send(as(token), id);
    const random = randomUUID();
    const missing = await send(as(token), random);
    const body = expectProblem(theirs, 404, type);
    expect(shapeOf(body, id.toLowerCase())).toEqual(
      shapeOf(expectProblem(missing, 404, type), random),
    );
  }

  beforeAll(async () => {
    running = await startTestApp();
    const server = running.app.getHttpServer();
    carts = cartsApi(server);
    orders = ordersApi(server);

    const shipped = await carts.ready([{ productId: 'sku-1', quantity: 1, unitPrice: 700 }], b);
    const account = await carts.openAccountFor(shipped.id, { initialDeposit: 10_000 });
    const { orderId } = await carts.checkOut(shipped.id, account.id);
    order = await orders.order(orderId, (o) => o.status === 'awaiting-shipment');
    await orders.shipment(order.shipment!.href);
    open = (await carts.ready([{ productId: 'sku-2' }], b)).id;
  });
  afterAll(() => running.close());

  it('a cart is created for the customer the token names', async () => {
    const res = await as(customerToken(a)).post('/carts').send({}).expect(201);
    const cart = await as(customerToken(a))
      .get(`/carts/${res.body.id}`)
      .query({ consistentWith: res.body.position })
      .expect(200);
    expect(cart.body.customerId).toBe(a);
  });

  describe("customer A and B's cart", () => {
    const item = { productId: 'sku-9', quantity: 1, unitPrice: 100, currency: 'EUR' };

    it.each([
      ['read it', (http, id) => http.get(`/carts/${id}`)],
      ['add an item', (http, id) => http.post(`/carts/${id}/items`).send(item)],
      ['remove an item', (http, id) => http.delete(`/carts/${id}/items/sku-2`)],
      ['enter an address', (http, id) => http.put(`/carts/${id}/shipping`).send(ADDRESS)],
      [
        'check it out',
        (http, id) => http.post(`/carts/${id}/checkout`).send({ accountId: randomUUID() }),
      ],
      [
        'change it at a version it guesses',
        (http, id) => http.post(`/carts/${id}/items`).set('If-Match', '"3"').send(item),
      ],
    ] as Array<[string, Send]>)(
      'A cannot %s: 404 cart-not-found, as for a random id',
      async (_action, send) => {
        await answersAsMissing(customerToken(a), send, open, 'cart-not-found');
        await answersAsMissing(customerToken(a), send, open.toUpperCase(), 'cart-not-found');
        // Nothing changed: B still sees the cart as B left it.
        const cart = await as(carts.tokenOf(open)).get(`/carts/${open}`).expect(200);
        expect(cart.body).toMatchObject({ status: 'open', items: [{ productId: 'sku-2' }] });
      },
    );

    it('A cannot learn that a checked-out cart of B was checked out, nor its order', async () => {
      const res = await as(customerToken(a)).post(`/carts/${order.cartId}/items`).send(item);
      expect(expectProblem(res, 404, 'cart-not-found')).not.toHaveProperty('orderId');
    });

    it("A replaying B's Idempotency-Key on B's cart gets a 404, not B's answer", async () => {
      const key = `ship-${randomUUID()}`;
      await as(carts.tokenOf(open))
        .put(`/carts/${open}/shipping`)
        .set('Idempotency-Key', key)
        .send(ADDRESS)
        .expect(200);
      const replay = await as(customerToken(a))
        .put(`/carts/${open}/shipping`)
        .set('Idempotency-Key', key)
        .send(ADDRESS);
      expectProblem(replay, 404, 'cart-not-found');
      expect(replay.headers['idempotent-replayed']).toBeUndefined();
    });

    it('B, whatever the case of the id in the path, reaches their own cart', async () => {
      await as(carts.tokenOf(open)).get(`/carts/${open.toUpperCase()}`).expect(200);
    });

    it('an auditor reads it; staff cannot change it (403: carts are changed by their customer)', async () => {
      await as(auditor).get(`/carts/${open}`).expect(200);
      expectProblem(await as(admin).post(`/carts/${open}/items`).send(item), 403, 'forbidden');
      expectProblem(await as(teller).get(`/carts/${open}`), 403, 'forbidden');
    });
  });

  describe("customer A and B's orders and shipments", () => {
    it("A cannot read B's order or shipment: 404, as for a random id", async () => {
      await answersAsMissing(
        customerToken(a),
        (http, id) => http.get(`/orders/${id}`),
        order.id,
        'order-not-found',
      );
      await answersAsMissing(
        customerToken(a),
        (http, id) => http.get(`/shipments/${id}`),
        order.shipment!.id,
        'shipment-not-found',
      );
    });

    it("A's order list holds none of B's; B's holds B's; staff's holds everyone's", async () => {
      const listed = async (token: string) =>
        (await as(token).get('/orders').query({ limit: 500 }).expect(200)).body.items as Array<{
          id: string;
        }>;
      expect(await listed(customerToken(a))).toEqual([]);
      const mine = await listed(carts.tokenOf(open));
      expect(mine.map((o) => o.id)).toEqual([order.id]);
      for (const token of [auditor, admin])
        expect((await listed(token)).map((o) => o.id)).toContain(order.id);
    });

    it('B, an auditor and an admin read the order and the shipment', async () => {
      for (const token of [carts.tokenOf(open), auditor, admin]) {
        await as(token).get(`/orders/${order.id}`).expect(200);
        await as(token).get(`/shipments/${order.shipment!.id}`).expect(200);
      }
    });

    it('only an admin dispatches: a customer is refused the route (403), owner or not', async () => {
      for (const token of [customerToken(a), carts.tokenOf(open)])
        expectProblem(
          await as(token).post(`/shipments/${order.shipment!.id}/dispatch`),
          403,
          'forbidden',
        );
    });
  });

  describe("customer A and B's personal data", () => {
    it("A cannot erase B's: 404 customer-not-found, as for a random id, and B's address stays", async () => {
      await answersAsMissing(
        customerToken(a),
        (http, id) => http.delete(`/customers/${id}/personal-data`),
        b,
        'customer-not-found',
      );
      await answersAsMissing(
        customerToken(a),
        (http, id) => http.delete(`/customers/${id}/personal-data`),
        b.toUpperCase(),
        'customer-not-found',
      );
      const cart = await as(carts.tokenOf(open)).get(`/carts/${open}`).expect(200);
      expect(cart.body.shipping).toEqual(ADDRESS);
    });

    it('A erases their own, in any case; an admin erases anyone, B included', async () => {
      const own = await as(customerToken(a))
        .delete(`/customers/${a.toUpperCase()}/personal-data`)
        .expect(200);
      expect(own.body).toMatchObject({ id: a, version: 1 });
      const erased = await as(admin).delete(`/customers/${b}/personal-data`).expect(200);
      const cart = await as(carts.tokenOf(open))
        .get(`/carts/${open}`)
        .query({ consistentWith: erased.body.position })
        .expect(200);
      expect(cart.body.shipping.name).toBe('[erased]');
    });
  });
});
