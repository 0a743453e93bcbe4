import { randomUUID } from 'node:crypto';
import request from './support/http.js';
import type { RunningApp } from '../src/app.factory.js';
import { expectProblem, invalidFields } from './support/accounts-api.js';
import { cartsApi } from './support/carts-api.js';
import { scratchDatabase, type ScratchDatabase } from './support/database.js';
import { startTestApp } from './support/test-app.js';

const utcDay = () => new Date().toISOString().slice(0, 10);
const item = (productId: string, quantity: number) => ({
  productId,
  quantity,
  unitPrice: 100,
  currency: 'EUR',
});

/**
 * Carts from before the report existed, with the instants they were recorded at: the store always records
 * now(), so these rows are inserted as an earlier deployment wrote them.
 */
async function recordHistory(db: ScratchDatabase): Promise<number> {
  const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
  const history: Array<[string, string, Record<string, unknown>, string]> = [
    [a, 'CartCreated', { customerId: randomUUID() }, '2025-03-10T08:00:00Z'],
    [a, 'ItemAdded', item('sku-1', 2), '2025-03-10T08:01:00Z'],
    [a, 'ItemAdded', item('sku-2', 1), '2025-03-10T08:02:00Z'],
    [a, 'ItemRemoved', { productId: 'sku-1', quantity: 2 }, '2025-03-10T08:03:00Z'],
    [b, 'CartCreated', { customerId: randomUUID() }, '2025-03-11T09:00:00Z'],
    [b, 'ItemAdded', item('sku-1', 3), '2025-03-11T09:01:00Z'],
    [a, 'ItemAdded', item('sku-1', 1), '2025-03-11T10:00:00Z'],
    [b, 'ItemRemoved', { productId: 'sku-1', quantity: 3 }, '2025-03-11T23:59:59.999Z'],
    [b, 'ItemAdded', item('sku-3', 5), '2025-03-11T23:59:59.999Z'],
    [b, 'ItemRemoved', { productId: 'sku-3', quantity: 5 }, '2025-03-12T00:00:00Z'],
    [a, 'ItemRemoved', { productId: 'sku-1', quantity: 1 }, '2025-03-12T01:30:00+01:00'],
    [c, 'CartCreated', { customerId: randomUUID() }, '2025-03-12T12:00:00Z'],
    [c, 'ItemAdded', item('sku-2', 1), '2025-03-12T12:01:00Z'],
  ];
  const versions = new Map<string, number>();
  let last = 0;
  for (const [cartId, type, data, recordedAt] of history) {
    const version = (versions.get(cartId) ?? 0) + 1;
    versions.set(cartId, version);
    const { rows } = await db.pool.query(
      `INSERT INTO events (stream_id, stream_version, event_id, type, data, recorded_at)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING global_position`,
      [`cart-${cartId}`, version, randomUUID(), type, { cartId, ...data }, recordedAt],
    );
    last = Number(rows[0].global_position);
  }
  return last;
}

describe('GET /reports/cart-removals', () => {
  let db: ScratchDatabase;
  let running: RunningApp;
  let api: ReturnType<typeof cartsApi>;
  let historyPosition: number;
  let checkpointsBeforeStart: unknown[];
  const report = (query: Record<string, string | number>) =>
    api.http().get('/reports/cart-removals').query(query);

  beforeAll(async () => {
    db = await scratchDatabase();
    historyPosition = await recordHistory(db);
    ({ rows: checkpointsBeforeStart } = await db.pool.query(
      `SELECT name FROM projection_checkpoints WHERE name = 'cart-removals'`,
    ));
    running = await startTestApp({ databaseUrl: db.url });
    api = cartsApi(running.app.getHttpServer());
  });
  afterAll(async () => {
    await running.close();
    await db.drop();
  });

  it('back-fills removals stored before the report ever ran: removals, units and carts per product', async () => {
    expect(checkpointsBeforeStart).toEqual([]);

    const res = await report({
      from: '2025-03-10',
      to: '2025-03-12',
      consistentWith: historyPosition,
    }).expect(200);

    expect(res.body).toEqual({
      from: '2025-03-10',
      to: '2025-03-12',
      products: [
        { productId: 'sku-1', removals: 3, quantityRemoved: 6, carts: 2 },
        { productId: 'sku-3', removals: 1, quantityRemoved: 5, carts: 1 },
      ],
    });
  });

  it('counts a removal on its UTC day, both ends of the range included', async () => {
    const day = async (d: string) => (await report({ from: d, to: d }).expect(200)).body.products;

    expect(await day('2025-03-10')).toEqual([
      { productId: 'sku-1', removals: 1, quantityRemoved: 2, carts: 1 },
    ]);
    expect(await day('2025-03-11')).toEqual([
      { productId: 'sku-1', removals: 1, quantityRemoved: 3, carts: 1 },
    ]);
    // Equal removals: the larger quantity first.
    expect(await day('2025-03-12')).toEqual([
      { productId: 'sku-3', removals: 1, quantityRemoved: 5, carts: 1 },
      { productId: 'sku-1', removals: 1, quantityRemoved: 1, carts: 1 },
    ]);
    expect(await day('2025-03-09')).toEqual([]);
  });

  it('keeps to `limit` products, the most removed first', async () => {
    const res = await report({ from: '2025-03-10', to: '2025-03-12', limit: 1 }).expect(200);
    expect(res.body.products.map((p: { productId: string }) => p.productId)).toEqual(['sku-1']);
  });

  it('reads its own writes with consistentWith', async () => {
    const first = utcDay();
    const { id } = await api.create();
    await api.add(id, { productId: 'sku-live', quantity: 7 });
    await api.add(id, { productId: 'sku-kept', quantity: 1 });
    const removed = await api.remove(id, 'sku-live');
    await api.add(id, { productId: 'sku-live', quantity: 2 });
    const again = await api.remove(id, 'sku-live');
    expect(again.position).toBeGreaterThan(removed.position);

    const res = await report({ from: first, to: utcDay(), consistentWith: again.position }).expect(
      200,
    );
    expect(res.body.products).toEqual([
      { productId: 'sku-live', removals: 2, quantityRemoved: 9, carts: 1 },
    ]);
  });

  it.each([
    ['a date not written YYYY-MM-DD', { from: '2025-3-10', to: '2025-03-12' }, ['from']],
    ['a date that is not in the calendar', { from: '2025-02-30' }, ['from']],
    ['from after to', { from: '2025-03-12', to: '2025-03-10' }, ['from']],
    ['a range of 367 days', { from: '2024-03-10', to: '2025-03-11' }, ['from']],
    ['limit 0', { limit: 0 }, ['limit']],
    ['limit 1001', { limit: 1001 }, ['limit']],
    ['a limit that is not a number', { limit: 'ten' }, ['limit']],
    ['an unknown parameter', { productId: 'sku-1' }, ['productId']],
    ['a consistentWith that is not a position', { consistentWith: 'soon' }, ['consistentWith']],
  ])('answers 400 problem+json naming the parameter for %s', async (_case, query, fields) => {
    expect(invalidFields(await report(query)).sort()).toEqual(fields);
  });

  it('explains an inverted range in the problem', async () => {
    const body = expectProblem(
      await report({ from: '2025-03-12', to: '2025-03-10' }),
      400,
      'validation-failed',
    );
    expect(body.errors).toEqual([
      { field: 'from', messages: ['from must not be after to (2025-03-10)'] },
    ]);
  });

  it('is documented in the OpenAPI document', async () => {
    const doc = (await request(running.app.getHttpServer()).get('/docs-json').expect(200)).body;
    const operation = doc.paths['/reports/cart-removals'].get;
    expect(
      operation.parameters.map((p: { in: string; name: string }) => `${p.in}:${p.name}`),
    ).toEqual(
      expect.arrayContaining(['query:from', 'query:to', 'query:limit', 'query:consistentWith']),
    );
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['CartRemovalsReport', 'ProductRemovals']),
    );
  });
});
