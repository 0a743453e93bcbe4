import { randomUUID } from 'node:crypto';
import type { RunningApp } from '../src/app.factory.js';
import { PostgresEventStore } from '../src/event-store/index.js';
import { expectProblem, invalidFields } from './support/accounts-api.js';
import { ADDRESS, cartsApi } from './support/carts-api.js';
import { scratchDatabase, type ScratchDatabase } from './support/database.js';
import { eventually } from './support/eventually.js';
import { ordersApi } from './support/orders-api.js';
import { startTestApp, testConfig } from './support/test-app.js';

const E = '[erased]';
const MASKED = { name: E, street: E, city: E, postalCode: E, country: ADDRESS.country };

describe("erasing a customer's personal data (their shipping addresses)", () => {
  let scratch: ScratchDatabase;
  let running: RunningApp;
  let carts: ReturnType<typeof cartsApi>;
  let orders: ReturnType<typeof ordersApi>;
  const store = () => running.app.get(PostgresEventStore);
  const dataOf = async (streamId: string, type: string) =>
    (await store().readStream(streamId)).find((e) => e.type === type)?.data;

  beforeAll(async () => {
    // A database of its own: the test rebuilds a projection and scans every table.
    scratch = await scratchDatabase();
    running = await startTestApp({ databaseUrl: scratch.url });
    const server = running.app.getHttpServer();
    [carts, orders] = [cartsApi(server), ordersApi(server)];
  });
  afterAll(async () => {
    await running?.close();
    await scratch?.drop();
  });

  const erase = (customerId: string) =>
    carts.http().delete(`/customers/${customerId}/personal-data`);
  const cartsProjection = async () =>
    (
      (await carts.http().get('/admin/projections').expect(200)).body.projections as Array<{
        name: string;
        status: string;
        rebuild: unknown;
        checkpoint: { position: number };
      }>
    ).find((p) => p.name === 'carts')!;

  it('shows the address until the customer is erased, then the placeholder on every read path, and nothing can recover it', async () => {
    const customerId = randomUUID();
    const address = {
      ...ADDRESS,
      name: `Ada Erasable ${randomUUID()}`,
      street: `${randomUUID()} Street`,
    };
    const { id: done } = await carts.create(customerId);
    const account = await carts.openAccountFor(done, { initialDeposit: 100_000 });
    await carts.add(done);
    await carts.ship(done, address);
    const { orderId, position: checkedOut } = await carts.checkOut(done, account.id);
    const { id: open } = await carts.create(customerId);
    await carts.add(open);
    const shipped = await carts.ship(open, address);
    const other = await carts.ready();

    expect((await carts.cart(open, shipped.position)).shipping).toEqual(address);
    expect((await carts.cart(done, checkedOut)).shipping).toEqual(address);
    expect(await dataOf(`cart-${open}`, 'ShippingInfoEntered')).toEqual({
      cartId: open,
      customerId,
      ...address,
    });
    expect((await dataOf(`cart-${done}`, 'CartCheckedOut'))?.shipping).toEqual(address);
    // The order copies the address from CartCheckedOut, under the same customer's key.
    await orders.order(orderId);
    expect((await dataOf(`order-${orderId}`, 'OrderPlaced'))?.shipping).toEqual(address);
    // At rest the address is nowhere in clear: the events and the read model hold ciphertext.
    expect(await scratch.tablesContaining(address.street)).toEqual([]);
    const {
      rows: [key],
    } = await scratch.pool.query(
      `SELECT encode(wrapped_key, 'hex') AS hex FROM personal_data_keys WHERE subject_id = $1`,
      [customerId],
    );
    expect(key.hex).toMatch(/^[0-9a-f]{138}$/);

    const erased = await erase(customerId).expect(200);
    expect(erased.body).toEqual({ id: customerId, version: 1, position: expect.any(Number) });
    expect((await erase(customerId).expect(200)).body).toEqual(erased.body);
    expect(await dataOf(`customer-${customerId}`, 'CustomerPersonalDataErased')).toEqual({
      customerId,
    });

    const { position } = erased.body;
    expect((await carts.cart(open, position)).shipping).toEqual(MASKED);
    expect(await carts.cart(done, position)).toMatchObject({
      status: 'checked-out',
      shipping: MASKED,
      orderId,
    });
    expect((await carts.cart(other.id, position)).shipping).toEqual(ADDRESS);
    expect(await dataOf(`cart-${open}`, 'ShippingInfoEntered')).toEqual({
      cartId: open,
      customerId,
      ...MASKED,
    });
    expect((await dataOf(`cart-${done}`, 'CartCheckedOut'))?.shipping).toEqual(MASKED);
    expect((await dataOf(`order-${orderId}`, 'OrderPlaced'))?.shipping).toEqual(MASKED);

    // The open cart lives on, but it can neither ship to the erased address nor take a new one.
    const added = await carts.add(open, { productId: 'sku-2' });
    expect(await carts.cart(open, added.position)).toMatchObject({
      items: [{ productId: 'sku-1' }, { productId: 'sku-2' }],
      shipping: MASKED,
    });
    const checkout = await carts
      .http(open)
      .post(`/carts/${open}/checkout`)
      .send({ accountId: account.id });
    expect(expectProblem(checkout, 409, 'personal-data-erased')).toMatchObject({ customerId });
    const reship = await carts.http(open).put(`/carts/${open}/shipping`).send(address);
    expectProblem(reship, 409, 'personal-data-erased');
    const { id: later } = await carts.create(customerId);
    const ship = await carts.http(later).put(`/carts/${later}/shipping`).send(ADDRESS);
    expectProblem(ship, 409, 'personal-data-erased');

    const tableOid = async () =>
      (await scratch.pool.query(`SELECT 'public.carts'::regclass::oid AS oid`)).rows[0]
        .oid as number;
    const liveTable = await tableOid();
    await carts.http().post('/admin/projections/carts/rebuild').expect(202);
    await eventually(async () => {
      expect(await cartsProjection()).toMatchObject({ status: 'live', rebuild: null });
      expect((await cartsProjection()).checkpoint.position).toBeGreaterThanOrEqual(added.position);
      expect(await tableOid()).not.toBe(liveTable);
    }, 20_000);
    expect((await carts.cart(open, added.position)).shipping).toEqual(MASKED);
    expect((await carts.cart(done, added.position)).shipping).toEqual(MASKED);
    expect((await carts.cart(other.id, added.position)).shipping).toEqual(ADDRESS);

    for (const needle of [address.name, address.street, key.hex])
      expect(await scratch.tablesContaining(needle)).toEqual([]);
    const { rows: keys } = await scratch.pool.query(
      'SELECT wrapped_key, erased_at FROM personal_data_keys WHERE subject_id = $1',
      [customerId],
    );
    expect(keys).toEqual([{ wrapped_key: null, erased_at: expect.any(Date) }]);
  });

  it('erases a customer it never saw with 200, and stores no personal data of them afterwards', async () => {
    const customerId = randomUUID();
    const erased = await carts.eraseCustomer(customerId);
    expect(erased).toEqual({ id: customerId, version: 1, position: expect.any(Number) });

    const { id } = await carts.create(customerId);
    const res = await carts.http(id).put(`/carts/${id}/shipping`).send(ADDRESS);
    expect(expectProblem(res, 409, 'personal-data-erased').detail).toContain(customerId);
  });

  it('answers 400 naming customerId for an id that is not a UUID', async () => {
    expect(invalidFields(await erase('ada'))).toEqual(['customerId']);
  });

  it('erased between the checkout and its order: the order id answers cancelled (personal-data-erased), no payment taken', async () => {
    const customerId = randomUUID();
    const { id: cartId } = await carts.create(customerId);
    const account = await carts.openAccountFor(cartId, { initialDeposit: 100_000 });
    await carts.add(cartId);
    await carts.ship(cartId, ADDRESS);
    // An instance that serves commands but runs no projection: the checkout waits for its order there.
    await running.close();
    const base = testConfig({ databaseUrl: scratch.url });
    running = await startTestApp({
      databaseUrl: scratch.url,
      projections: { ...base.projections, run: false },
    });
    const paused = cartsApi(running.app.getHttpServer());
    const { orderId } = await paused.checkOut(cartId, account.id);
    await paused.http().delete(`/customers/${customerId}/personal-data`).expect(200);
    await running.close();

    running = await startTestApp({ databaseUrl: scratch.url });
    const server = running.app.getHttpServer();
    [carts, orders] = [cartsApi(server), ordersApi(server)];
    const order = await orders.order(orderId, (o) => o.status === 'cancelled');
    expect(order).toMatchObject({
      id: orderId,
      cartId,
      customerId,
      accountId: account.id,
      status: 'cancelled',
      cancellation: { reason: 'personal-data-erased' },
    });
    expect(order.payment).toBeUndefined();
    expect((await store().readStream(`order-${orderId}`)).map((e) => e.type)).toEqual([
      'OrderNotPlaced',
    ]);
    // Nothing was withdrawn for it: the saga starts only from a placed order.
    const balance = await carts.http().get(`/accounts/${account.id}`).expect(200);
    expect(balance.body.balance).toBe(100_000);
  });
});
