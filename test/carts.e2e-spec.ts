import { randomUUID } from 'node:crypto';
import request from './support/http.js';
import type { RunningApp } from '../src/app.factory.js';
import { deterministicUuid, PostgresEventStore } from '../src/event-store/index.js';
import { expectProblem, invalidFields, UUID } from './support/accounts-api.js';
import { customerToken } from './support/auth.js';
import { ADDRESS, cartsApi } from './support/carts-api.js';
import { startTestApp } from './support/test-app.js';

describe('carts API', () => {
  let running: RunningApp;
  let api: ReturnType<typeof cartsApi>;
  /** Read through the store: the address is stored encrypted. */
  const eventsOf = async (cartId: string) => {
    const events = await running.app.get(PostgresEventStore).readStream(`cart-${cartId}`);
    return events.map(({ type, schemaVersion, data }) => ({ type, schemaVersion, data }));
  };

  beforeAll(async () => {
    running = await startTestApp();
    api = cartsApi(running.app.getHttpServer());
  });
  afterAll(() => running.close());

  describe('POST /carts', () => {
    it("creates the caller's cart: 201 with id, version and position, and Location /carts/<id>", async () => {
      const customerId = randomUUID();
      const res = await request(running.app.getHttpServer(), customerToken(customerId))
        .post('/carts')
        .send({})
        .expect(201);

      expect(res.body).toEqual({
        id: expect.stringMatching(UUID),
        version: 1,
        position: expect.any(Number),
      });
      expect(res.headers.location).toBe(`/carts/${res.body.id}`);
      const cart = await request(running.app.getHttpServer(), customerToken(customerId))
        .get(res.headers.location)
        .query({ consistentWith: res.body.position })
        .expect(200);
      expect(cart.headers.etag).toBe('"1"');
      expect(cart.body).toEqual({
        id: res.body.id,
        customerId,
        status: 'open',
        currency: null,
        items: [],
        total: 0,
        version: 1,
      });
      expect((await eventsOf(res.body.id))[0].data).toEqual({ cartId: res.body.id, customerId });
    });

    it('creates the same cart again for a retried Idempotency-Key', async () => {
      const key = `cart-${randomUUID()}`;
      const first = await api.http().post('/carts').set('Idempotency-Key', key).send({});
      const again = await api.http().post('/carts').set('Idempotency-Key', key).send({});
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.body).toEqual(first.body);
      expect(again.headers.location).toBe(first.headers.location);
      expect(await eventsOf(first.body.id)).toHaveLength(1);
    });

    it.each([
      ['a customerId (the token names the customer)', { customerId: randomUUID() }, ['customerId']],
      ['an unknown field', { vip: true }, ['vip']],
    ])('answers 400 problem+json naming the field for %s', async (_case, body, fields) => {
      expect(invalidFields(await api.http().post('/carts').send(body))).toEqual(fields);
    });
  });

  describe('POST /carts/:id/items', () => {
    it('adds items: lines with their totals, the cart total and its currency', async () => {
      const { id } = await api.create();
      await api.add(id, { productId: 'sku-1', quantity: 2, unitPrice: 1_999 });
      const res = await api
        .http(id)
        .post(`/carts/${id}/items`)
        .send({
          productId: 'b7e4d9c0-8d3e-4c7b-9a51-2b7e4d9c0f11',
          quantity: 1,
          unitPrice: 500,
          currency: 'EUR',
        })
        .expect(201);
      expect(res.body).toEqual({ id, version: 3, position: expect.any(Number) });

      const cart = await api.cart(id, res.body.position);
      expect(cart).toMatchObject({
        currency: 'EUR',
        items: [
          { productId: 'sku-1', quantity: 2, unitPrice: 1_999, lineTotal: 3_998 },
          {
            productId: 'b7e4d9c0-8d3e-4c7b-9a51-2b7e4d9c0f11',
            quantity: 1,
            unitPrice: 500,
            lineTotal: 500,
          },
        ],
        total: 4_498,
        version: 3,
      });
    });

    it('adds the quantity of a product already in the cart to its line, up to 1000', async () => {
      const { id } = await api.create();
      await api.add(id, { productId: 'sku-1', quantity: 600 });
      const last = await api.add(id, { productId: 'sku-1', quantity: 400 });
      expect(await api.cart(id, last.position)).toMatchObject({
        items: [{ productId: 'sku-1', quantity: 1_000, unitPrice: 1_000, lineTotal: 1_000_000 }],
        total: 1_000_000,
      });

      const res = await api
        .http(id)
        .post(`/carts/${id}/items`)
        .send({ productId: 'sku-1', quantity: 1, unitPrice: 1_000, currency: 'EUR' });
      expect(expectProblem(res, 422, 'quantity-limit-exceeded')).toMatchObject({
        productId: 'sku-1',
        inCart: 1_000,
        adding: 1,
        max: 1_000,
      });
    });

    it('refuses another currency with 422 cart-currency-mismatch', async () => {
      const { id } = await api.create();
      await api.add(id, { currency: 'EUR' });
      const res = await api
        .http(id)
        .post(`/carts/${id}/items`)
        .send({ productId: 'sku-2', quantity: 1, unitPrice: 100, currency: 'USD' });
      expect(expectProblem(res, 422, 'cart-currency-mismatch')).toMatchObject({
        cartCurrency: 'EUR',
        currency: 'USD',
      });
    });

    it('refuses a product already in the cart at another price with 422 unit-price-mismatch', async () => {
      const { id } = await api.create();
      await api.add(id, { productId: 'sku-1', unitPrice: 1_000 });
      const res = await api
        .http(id)
        .post(`/carts/${id}/items`)
        .send({ productId: 'sku-1', quantity: 1, unitPrice: 900, currency: 'EUR' });
      expect(expectProblem(res, 422, 'unit-price-mismatch')).toMatchObject({
        cartUnitPrice: 1_000,
        unitPrice: 900,
      });
    });

    it('refuses an item that would take the total past 10^12 with 422', async () => {
      const { id } = await api.create();
      await api.add(id, { productId: 'sku-1', quantity: 1, unitPrice: 1_000_000_000_000 });
      const res = await api
        .http(id)
        .post(`/carts/${id}/items`)
        .send({ productId: 'sku-2', quantity: 1, unitPrice: 1, currency: 'EUR' });
      expect(expectProblem(res, 422, 'cart-total-limit-exceeded')).toMatchObject({
        total: 1_000_000_000_001,
        max: 1_000_000_000_000,
      });
    });

    const item = { productId: 'sku-1', quantity: 1, unitPrice: 1, currency: 'EUR' };
    it.each([
      ['quantity 0', { ...item, quantity: 0 }, ['quantity']],
      ['quantity 1001', { ...item, quantity: 1001 }, ['quantity']],
      ['a fractional quantity', { ...item, quantity: 1.5 }, ['quantity']],
      ['a quantity sent as a string', { ...item, quantity: '2' }, ['quantity']],
      ['unitPrice 0', { ...item, unitPrice: 0 }, ['unitPrice']],
      ['unitPrice above 10^12', { ...item, unitPrice: 1_000_000_000_001 }, ['unitPrice']],
      ['a lower-case currency', { ...item, currency: 'eur' }, ['currency']],
      ['an unknown currency', { ...item, currency: 'XXQ' }, ['currency']],
      ['a productId with a slash', { ...item, productId: 'a/b' }, ['productId']],
      ['a productId of 65 characters', { ...item, productId: 'p'.repeat(65) }, ['productId']],
      ['nothing', {}, ['currency', 'productId', 'quantity', 'unitPrice']],
    ])('answers 400 naming the field for %s', async (_case, body, fields) => {
      const { id } = await api.create();
      const res = await api.http(id).post(`/carts/${id}/items`).send(body);
      expect(invalidFields(res).sort()).toEqual(fields);
    });

    it('answers 404 cart-not-found for a cart that does not exist, 400 for an id that is not a UUID', async () => {
      const missing = randomUUID();
      const res = await api.http().post(`/carts/${missing}/items`).send(item);
      expect(expectProblem(res, 404, 'cart-not-found').detail).toContain(missing);
      expect(invalidFields(await api.http().post('/carts/42/items').send(item))).toEqual(['id']);
    });

    it('answers 409 version-conflict when If-Match is not the current version', async () => {
      const { id } = await api.create();
      await api.add(id, item);
      const res = await api.http(id).post(`/carts/${id}/items`).set('If-Match', '"1"').send(item);
      expect(expectProblem(res, 409, 'version-conflict')).toMatchObject({ currentVersion: 2 });
      await api.http(id).post(`/carts/${id}/items`).set('If-Match', '"2"').send(item).expect(201);
    });
  });

  describe('DELETE /carts/:id/items/:productId', () => {
    it('removes the whole line: 200 and the cart no longer holds it', async () => {
      const { id } = await api.create();
      await api.add(id, { productId: 'sku-1', quantity: 3 });
      await api.add(id, { productId: 'sku.2:x_y-z', quantity: 1, unitPrice: 250 });
      const res = await api.http(id).delete(`/carts/${id}/items/sku-1`).expect(200);
      expect(res.body).toEqual({ id, version: 4, position: expect.any(Number) });

      expect(await api.cart(id, res.body.position)).toMatchObject({
        items: [{ productId: 'sku.2:x_y-z', quantity: 1 }],
        total: 250,
      });
      expect((await eventsOf(id)).at(-1)).toEqual({
        type: 'ItemRemoved',
        schemaVersion: 1,
        data: { cartId: id, productId: 'sku-1', quantity: 3 },
      });
    });

    it('answers 404 cart-item-not-found for a product not in the cart', async () => {
      const { id } = await api.create();
      await api.add(id, { productId: 'sku-1' });
      const res = await api.http(id).delete(`/carts/${id}/items/sku-9`);
      expect(expectProblem(res, 404, 'cart-item-not-found')).toMatchObject({ productId: 'sku-9' });
    });

    it('answers 400 naming productId for a path that is not a product token', async () => {
      const { id } = await api.create();
      expect(invalidFields(await api.http(id).delete(`/carts/${id}/items/a%20b`))).toEqual([
        'productId',
      ]);
    });
  });

  describe('PUT /carts/:id/shipping', () => {
    it('records the address, trimmed; entering another replaces it', async () => {
      const { id } = await api.create();
      const res = await api
        .http(id)
        .put(`/carts/${id}/shipping`)
        .send({ ...ADDRESS, name: ' Ada Lovelace  ' })
        .expect(200);
      expect(res.body).toEqual({ id, version: 2, position: expect.any(Number) });
      expect(await api.cart(id, res.body.position)).toMatchObject({ shipping: ADDRESS });

      const moved = await api.ship(id, { street: '1 Dorset Street' });
      expect((await api.cart(id, moved.position)).shipping).toEqual({
        ...ADDRESS,
        street: '1 Dorset Street',
      });
    });

    it.each([
      ['a blank name', { name: '   ' }, ['name']],
      ['a street of 201 characters', { street: 's'.repeat(201) }, ['street']],
      ['an empty city', { city: '' }, ['city']],
      ['a postal code with a slash', { postalCode: 'SW1Y/4JH' }, ['postalCode']],
      ['a postal code of 21 characters', { postalCode: '1'.repeat(21) }, ['postalCode']],
      ['a lower-case country', { country: 'gb' }, ['country']],
      ['a country that is not ISO 3166-1', { country: 'XK' }, ['country']],
      ['an alpha-3 country', { country: 'GBR' }, ['country']],
      ['a name that is not a string', { name: 42 }, ['name']],
    ])('answers 400 naming the field for %s', async (_case, change, fields) => {
      const { id } = await api.create();
      const res = await api
        .http(id)
        .put(`/carts/${id}/shipping`)
        .send({ ...ADDRESS, ...change });
      expect(invalidFields(res)).toEqual(fields);
    });

    it('answers 400 naming every missing field', async () => {
      const { id } = await api.create();
      expect(
        invalidFields(await api.http(id).put(`/carts/${id}/shipping`).send({})).sort(),
      ).toEqual(['city', 'country', 'name', 'postalCode', 'street']);
    });
  });

  describe('POST /carts/:id/checkout', () => {
    it('answers 202 with the order id derived from the cart, and Location /orders/<orderId>', async () => {
      const { id } = await api.create();
      await api.add(id, { productId: 'sku-1', quantity: 2, unitPrice: 1_999 });
      await api.add(id, { productId: 'sku-2', quantity: 1, unitPrice: 500 });
      await api.add(id, { productId: 'sku-3', quantity: 4, unitPrice: 10 });
      await api.remove(id, 'sku-3');
      await api.add(id, { productId: 'sku-1', quantity: 1, unitPrice: 1_999 });
      await api.ship(id);
      const accountId = randomUUID();

      const res = await api.http(id).post(`/carts/${id}/checkout`).send({ accountId }).expect(202);

      const orderId = deterministicUuid('order', id);
      expect(res.body).toEqual({ id, orderId, version: 8, position: expect.any(Number) });
      expect(res.headers.location).toBe(`/orders/${orderId}`);
      const events = await eventsOf(id);
      expect(events.at(-1)).toEqual({
        type: 'CartCheckedOut',
        schemaVersion: 1,
        data: {
          cartId: id,
          orderId,
          customerId: events[0].data.customerId,
          accountId,
          currency: 'EUR',
          total: 6_497,
          lines: [
            { productId: 'sku-1', quantity: 3, unitPrice: 1_999 },
            { productId: 'sku-2', quantity: 1, unitPrice: 500 },
          ],
          shipping: ADDRESS,
        },
      });

      const cart = await api
        .http(id)
        .get(`/carts/${id}`)
        .query({ consistentWith: res.body.position });
      expect(cart.headers.etag).toBe('"8"');
      expect(cart.body).toEqual({
        id,
        customerId: events[0].data.customerId,
        status: 'checked-out',
        currency: 'EUR',
        items: [
          { productId: 'sku-1', quantity: 3, unitPrice: 1_999, lineTotal: 5_997 },
          { productId: 'sku-2', quantity: 1, unitPrice: 500, lineTotal: 500 },
        ],
        total: 6_497,
        version: 8,
        shipping: ADDRESS,
        orderId,
      });
    });

    it('refuses any change afterwards with 409 cart-checked-out naming the order', async () => {
      const { id } = await api.ready([{ productId: 'sku-1' }]);
      const { orderId } = await api.checkOut(id);

      const attempts = [
        api.http(id).post(`/carts/${id}/checkout`).send({ accountId: randomUUID() }),
        api
          .http(id)
          .post(`/carts/${id}/items`)
          .send({ productId: 'sku-2', quantity: 1, unitPrice: 1, currency: 'EUR' }),
        api.http(id).delete(`/carts/${id}/items/sku-1`),
        api.http(id).put(`/carts/${id}/shipping`).send(ADDRESS),
      ];
      for (const res of await Promise.all(attempts)) {
        expect(expectProblem(res, 409, 'cart-checked-out')).toMatchObject({ orderId });
      }
      expect((await eventsOf(id)).filter((e) => e.type === 'CartCheckedOut')).toHaveLength(1);
    });

    it('answers a retry with the same Idempotency-Key with the first 202, and checks out once', async () => {
      const { id } = await api.ready();
      const body = { accountId: randomUUID() };
      const key = `checkout-${id}`;
      const first = await api
        .http(id)
        .post(`/carts/${id}/checkout`)
        .set('Idempotency-Key', key)
        .send(body);
      const again = await api
        .http(id)
        .post(`/carts/${id}/checkout`)
        .set('Idempotency-Key', key)
        .send(body);

      expect(first.status).toBe(202);
      expect(again.status).toBe(202);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(again.headers.location).toBe(`/orders/${first.body.orderId}`);
      expect((await eventsOf(id)).filter((e) => e.type === 'CartCheckedOut')).toHaveLength(1);
    });

    it('refuses an empty cart with 422 cart-empty', async () => {
      const { id } = await api.create();
      await api.add(id, { productId: 'sku-1' });
      await api.remove(id, 'sku-1');
      await api.ship(id);
      const res = await api
        .http(id)
        .post(`/carts/${id}/checkout`)
        .send({ accountId: randomUUID() });
      expectProblem(res, 422, 'cart-empty');
    });

    it('refuses a cart without an address with 422 shipping-info-missing', async () => {
      const { id } = await api.create();
      await api.add(id);
      const res = await api
        .http(id)
        .post(`/carts/${id}/checkout`)
        .send({ accountId: randomUUID() });
      expectProblem(res, 422, 'shipping-info-missing');
    });

    it.each([
      ['no accountId', {}],
      ['an accountId that is not a UUID', { accountId: 'acc-1' }],
    ])('answers 400 naming accountId for %s', async (_case, body) => {
      const { id } = await api.ready();
      expect(invalidFields(await api.http(id).post(`/carts/${id}/checkout`).send(body))).toEqual([
        'accountId',
      ]);
    });

    it('answers 404 cart-not-found for a cart that does not exist', async () => {
      const res = await api
        .http()
        .post(`/carts/${randomUUID()}/checkout`)
        .send({ accountId: randomUUID() });
      expectProblem(res, 404, 'cart-not-found');
    });
  });

  describe('GET /carts/:id', () => {
    it('answers 404 cart-not-found for an unknown cart', async () => {
      expectProblem(await api.http().get(`/carts/${randomUUID()}`), 404, 'cart-not-found');
    });

    it.each([
      ['an id that is not a UUID', '/carts/abc', ['id']],
      ['an unknown parameter', `/carts/${randomUUID()}?expand=items`, ['expand']],
      [
        'a consistentWith that is not a position',
        `/carts/${randomUUID()}?consistentWith=soon`,
        ['consistentWith'],
      ],
    ])('answers 400 naming the parameter for %s', async (_case, path, fields) => {
      expect(invalidFields(await api.http().get(path))).toEqual(fields);
    });

    it('is documented in the OpenAPI document', async () => {
      const doc = (await request(running.app.getHttpServer()).get('/docs-json').expect(200)).body;
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([
          '/carts',
          '/carts/{id}',
          '/carts/{id}/items',
          '/carts/{id}/items/{productId}',
          '/carts/{id}/shipping',
          '/carts/{id}/checkout',
        ]),
      );
      expect(Object.keys(doc.paths['/carts/{id}/checkout'].post.responses)).toEqual(
        expect.arrayContaining(['202', '400', '404', '409', '422']),
      );
      expect(Object.keys(doc.components.schemas)).toEqual(
        expect.arrayContaining(['CartResponse', 'CartItemResponse', 'CheckoutAccepted']),
      );
    });
  });
});
