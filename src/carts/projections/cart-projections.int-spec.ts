import { createSecretKey, randomBytes, randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import {
  scratchDatabase,
  scratchDataSource,
  storeOn,
  type ScratchDatabase,
} from '../../../test/support/database.js';
import { startTestApp } from '../../../test/support/test-app.js';
import type { RunningApp } from '../../app.factory.js';
import {
  EventTypeRegistry,
  type PersistedEvent,
  PERSONAL_DATA_ERASED,
  PostgresEventStore,
} from '../../event-store/index.js';
import { persistedEvent } from '../../event-store/testing/persisted-events.js';
import { ProjectionRunner, writeEntities } from '../../projections/index.js';
import { orderIdOf } from '../order-ids.js';
import { CART_EVENT_TYPES, type CartEvent } from '../domain/cart.events.js';
import { CartItemRemoval } from './cart-item-removal.entity.js';
import { cartItemRemovals } from './cart-removals.projection.js';
import { CartView } from './cart-view.entity.js';
import { CartsProjection } from './carts.projection.js';
import { openShipping, type StoredShipping } from './sealed-shipping.js';

const address = {
  name: 'Ada Lovelace',
  street: '12 St James Square',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  country: 'GB',
};

const versions = new Map<string, number>();
const stored = (event: CartEvent, recordedAt = '2025-05-01T10:00:00Z') => {
  const version = (versions.get(event.data.cartId) ?? 0) + 1;
  versions.set(event.data.cartId, version);
  return persistedEvent(event, {
    streamId: `cart-${event.data.cartId}`,
    streamVersion: version,
    recordedAt,
  });
};
const created = (cartId: string, customerId = randomUUID()) =>
  stored({ type: 'CartCreated', data: { cartId, customerId } });
const added = (cartId: string, productId: string, quantity: number, unitPrice = 100) =>
  stored({
    type: 'ItemAdded',
    data: { cartId, productId, quantity, unitPrice, currency: 'EUR' },
  });
const removed = (cartId: string, productId: string, quantity: number, at?: string) =>
  stored({ type: 'ItemRemoved', data: { cartId, productId, quantity } }, at);
const shipped = (cartId: string, customerId: string) =>
  stored({ type: 'ShippingInfoEntered', data: { cartId, customerId, ...address } });
const checkedOut = (cartId: string, customerId: string) =>
  stored({
    type: 'CartCheckedOut',
    data: {
      cartId,
      orderId: orderIdOf(cartId),
      customerId,
      accountId: randomUUID(),
      currency: 'EUR',
      total: 300,
      lines: [{ productId: 'sku-1', quantity: 3, unitPrice: 100 }],
      shipping: address,
    },
  });
const customerErased = (customerId: string) =>
  persistedEvent(
    { type: 'CustomerPersonalDataErased', data: { customerId } },
    { streamId: `customer-${customerId}`, recordedAt: '2025-05-02T10:00:00Z' },
  );

/** Statements the projection sends inside its transaction. */
async function countingStatements(
  dataSource: DataSource,
  work: (tx: EntityManager) => Promise<void>,
): Promise<number> {
  return dataSource.transaction(async (tx) => {
    const runner = tx.queryRunner!;
    const query = runner.query.bind(runner);
    let count = 0;
    runner.query = ((...args: Parameters<typeof query>) => {
      count += 1;
      return query(...args);
    }) as typeof runner.query;
    await work(tx);
    runner.query = query;
    return count;
  });
}

describe('cart projections', () => {
  let scratch: ScratchDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    ({ scratch, dataSource } = await scratchDataSource([CartView, CartItemRemoval]));
  });
  beforeEach(() => dataSource.query('TRUNCATE carts, cart_item_removals'));
  afterAll(() => scratch?.drop());

  describe('CartsProjection', () => {
    let store: PostgresEventStore;
    let projection: CartsProjection;
    beforeAll(() => {
      const masterKey = createSecretKey(randomBytes(32));
      store = new PostgresEventStore(scratch.pool, new EventTypeRegistry(), { masterKey });
      projection = new CartsProjection(store);
    });
    const apply = (events: PersistedEvent[]) =>
      dataSource.transaction((tx) => projection.apply(events, tx));
    const cartRow = (id: string) => dataSource.getRepository(CartView).findOneByOrFail({ id });
    /** Every row, its address opened as GET /carts/:id opens it (the ciphertext differs on every write). */
    const openedRows = async () => {
      const keys: Array<{ subject_id: string; wrapped_key: Buffer | null }> =
        await dataSource.query('SELECT subject_id, wrapped_key FROM personal_data_keys');
      const open = (shipping: StoredShipping) =>
        openShipping(
          store.personalData.columns,
          shipping,
          keys.find((key) => key.subject_id === shipping.subject)?.wrapped_key,
        );
      const rows = await dataSource.getRepository(CartView).find({ order: { id: 'ASC' } });
      return rows.map((row) => ({ ...row, shipping: row.shipping && open(row.shipping) }));
    };
    const addressOf = async (id: string) =>
      (await openedRows()).find((row) => row.id === id)!.shipping;

    it('folds a whole life in one batch: lines, total, address, checkout', async () => {
      const cartId = randomUUID();
      const customerId = randomUUID();
      await apply([
        stored({ type: 'CartCreated', data: { cartId, customerId } }, '2025-05-01T09:00:00Z'),
        added(cartId, 'sku-1', 2),
        added(cartId, 'sku-2', 1, 50),
        added(cartId, 'sku-1', 1),
        removed(cartId, 'sku-2', 1),
        shipped(cartId, customerId),
        checkedOut(cartId, customerId),
      ]);

      expect(await cartRow(cartId)).toEqual({
        id: cartId,
        customerId,
        status: 'checked-out',
        currency: 'EUR',
        items: [{ productId: 'sku-1', quantity: 3, unitPrice: 100 }],
        total: 300,
        shipping: { country: 'GB', subject: customerId, sealed: expect.any(String) },
        orderId: orderIdOf(cartId),
        version: 7,
        createdAt: new Date('2025-05-01T09:00:00Z'),
        updatedAt: new Date('2025-05-01T10:00:00Z'),
      });
      expect(JSON.stringify(await cartRow(cartId))).not.toContain(address.street);
      expect(await addressOf(cartId)).toEqual(address);
    });

    it('ends in the same rows whether the events come in one batch, in several, or twice', async () => {
      const a = randomUUID();
      const b = randomUUID();
      const customer = randomUUID();
      const history = [
        created(a, customer),
        added(a, 'sku-1', 2),
        created(b),
        added(b, 'sku-9', 5, 7),
        added(a, 'sku-2', 1),
        removed(a, 'sku-1', 2),
        shipped(a, customer),
        added(b, 'sku-9', 1, 7),
      ];
      await apply(history);
      const once = await openedRows();

      await dataSource.query('TRUNCATE carts');
      await apply(history.slice(0, 3));
      await apply(history.slice(2, 6)); // overlaps: a redelivered event is skipped by version
      await apply(history.slice(6));
      await apply(history);

      expect(await openedRows()).toEqual(once);
      expect(once.map((cart) => [cart.id, cart.items, cart.total])).toEqual(
        expect.arrayContaining([
          [a, [{ productId: 'sku-2', quantity: 1, unitPrice: 100 }], 100],
          [b, [{ productId: 'sku-9', quantity: 6, unitPrice: 7 }], 42],
        ]),
      );
    });

    it('writes a batch of any size with two statements: one read, one upsert', async () => {
      const batch: PersistedEvent[] = [];
      for (let i = 0; i < 50; i++) {
        const cartId = randomUUID();
        batch.push(created(cartId), added(cartId, 'sku-1', 1), added(cartId, 'sku-2', 2));
        batch.push(removed(cartId, 'sku-1', 1));
      }
      const statements = await countingStatements(dataSource, (tx) => projection.apply(batch, tx));

      expect(statements).toBe(2);
      expect(await dataSource.getRepository(CartView).count()).toBe(50);
    });

    it("masks every address of an erased customer with one statement, and no one else's", async () => {
      const [erased, other] = [randomUUID(), randomUUID()];
      const [open, done, empty, others] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      await apply([
        created(open, erased),
        shipped(open, erased),
        created(done, erased),
        added(done, 'sku-1', 3),
        shipped(done, erased),
        checkedOut(done, erased),
        created(empty, erased),
        created(others, other),
        shipped(others, other),
      ]);
      const before = await openedRows();

      const statements = await countingStatements(dataSource, (tx) =>
        projection.apply([customerErased(erased)], tx),
      );

      expect(statements).toBe(1);
      const E = PERSONAL_DATA_ERASED;
      const masked = { name: E, street: E, city: E, postalCode: E, country: address.country };
      expect(await openedRows()).toEqual(
        before.map((cart) =>
          cart.customerId === erased && cart.shipping ? { ...cart, shipping: masked } : cart,
        ),
      );
      // The ciphertext itself is gone, not only its key.
      expect((await cartRow(open)).shipping).toEqual({
        country: 'GB',
        subject: erased,
        sealed: null,
      });
      expect((await cartRow(empty)).shipping).toBeNull();
      expect(await addressOf(others)).toEqual(address);
    });

    it('masks an address entered in the same batch as the erasure, before it', async () => {
      const customerId = randomUUID();
      const cartId = randomUUID();
      await apply([
        created(cartId, customerId),
        shipped(cartId, customerId),
        customerErased(customerId),
      ]);
      expect(await addressOf(cartId)).toMatchObject({
        name: PERSONAL_DATA_ERASED,
        country: address.country,
      });
    });

    it('refuses an event of a cart it never saw created, and writes none of the batch', async () => {
      const known = randomUUID();
      const stranger = randomUUID();
      await expect(
        apply([created(known), added(known, 'sku-1', 1), added(stranger, 'sku-1', 1)]),
      ).rejects.toThrow(`ItemAdded for cart ${stranger}, never created`);
      expect(await dataSource.getRepository(CartView).count()).toBe(0);
    });
  });

  describe('cart-removals', () => {
    // As the engine runs it: only the events of its types.
    const write = (events: PersistedEvent[], tx: EntityManager) =>
      writeEntities(
        cartItemRemovals,
        events.filter((e) => e.type === 'ItemRemoved'),
        tx,
      );
    const apply = (events: PersistedEvent[]) => dataSource.transaction((tx) => write(events, tx));
    const rows = () =>
      dataSource.query(
        `SELECT cart_id, stream_version, product_id, quantity, to_char(removed_on, 'YYYY-MM-DD') AS day
         FROM cart_item_removals ORDER BY cart_id, stream_version`,
      );

    it('records each removal on the UTC day it happened, once however often it is applied', async () => {
      const cartId = randomUUID();
      const history = [
        created(cartId),
        added(cartId, 'sku-1', 2),
        removed(cartId, 'sku-1', 2, '2025-05-01T23:59:59.999Z'),
        added(cartId, 'sku-1', 4),
        removed(cartId, 'sku-1', 4, '2025-05-02T01:30:00+02:00'),
      ];

      await apply(history);
      await apply(history.slice(2));

      expect(await rows()).toEqual([
        { cart_id: cartId, stream_version: 3, product_id: 'sku-1', quantity: 2, day: '2025-05-01' },
        { cart_id: cartId, stream_version: 5, product_id: 'sku-1', quantity: 4, day: '2025-05-01' },
      ]);
    });

    it('writes a batch with one statement, none for a batch without removals', async () => {
      const batch: PersistedEvent[] = [];
      for (let i = 0; i < 40; i++) {
        const cartId = randomUUID();
        batch.push(created(cartId), added(cartId, 'sku-1', 1), removed(cartId, 'sku-1', 1));
      }
      expect(await countingStatements(dataSource, (tx) => write(batch, tx))).toBe(1);
      expect(await countingStatements(dataSource, (tx) => write(batch.slice(0, 2), tx))).toBe(0);
      expect(await rows()).toHaveLength(40);
    });
  });

  describe('in the runner, born after the events', () => {
    const cartId = randomUUID();
    const customerId = randomUUID();
    let db: ScratchDatabase;
    let running: RunningApp;
    let backFilled: CartView;
    const runner = () => running.app.get(ProjectionRunner);
    const row = () =>
      running.app.get(DataSource).getRepository(CartView).findOneByOrFail({ id: cartId });

    beforeAll(async () => {
      db = await scratchDatabase(4);
    });
    afterAll(async () => {
      await running?.close();
      await db.drop();
    });

    it('back-fills both read models from the start of the log', async () => {
      const store = storeOn(db.pool, ...CART_EVENT_TYPES);
      const { events } = await store.append(`cart-${cartId}`, [
        { type: 'CartCreated', data: { cartId, customerId } },
        {
          type: 'ItemAdded',
          data: { cartId, productId: 'sku-1', quantity: 2, unitPrice: 10, currency: 'EUR' },
        },
        { type: 'ItemRemoved', data: { cartId, productId: 'sku-1', quantity: 2 } },
        {
          type: 'ItemAdded',
          data: { cartId, productId: 'sku-2', quantity: 1, unitPrice: 5, currency: 'EUR' },
        },
      ]);

      running = await startTestApp({ databaseUrl: db.url });
      const last = events.at(-1)!.globalPosition;
      expect(await runner().waitFor(last, ['carts', 'cart-removals'], 10_000)).toBe(true);

      backFilled = await row();
      expect(backFilled).toMatchObject({
        items: [{ productId: 'sku-2', quantity: 1, unitPrice: 5 }],
        total: 5,
        version: 4,
      });
      const { rows: removals } = await db.pool.query(
        'SELECT product_id, quantity FROM cart_item_removals',
      );
      expect(removals).toEqual([{ product_id: 'sku-1', quantity: 2 }]);
    });

    it('rebuilds the same cart rows from the log alone', async () => {
      await db.pool.query(`UPDATE carts SET total = 0, items = '[]'`);
      await runner().rebuild('carts');
      expect(await row()).toEqual(backFilled);
    });
  });
});
