import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { In, type EntityManager } from 'typeorm';
import { CUSTOMER_EVENT_TYPES, type CustomerEvent } from '../../customers/index.js';
import type { PersistedEvent } from '../../event-store/persisted-event.js';
import type { PersonalDataColumns } from '../../event-store/personal-data-columns.js';
import { PostgresEventStore } from '../../event-store/postgres-event-store.js';
import { Projection, type ProjectionHandler } from '../../projections/projection.js';
import { totalOf } from '../domain/cart.js';
import { CART_EVENT_TYPES, type CartEvent, type CartLine } from '../domain/cart.events.js';
import { CartView } from './cart-view.entity.js';
import { SHIPPING_COLUMN, type PersonalAddress } from './sealed-shipping.js';

const CART_TYPES: ReadonlySet<string> = new Set(CART_EVENT_TYPES);
const ERASED: CustomerEvent['type'] = 'CustomerPersonalDataErased';

/**
 * One row per cart. A batch is folded in memory over the rows it touches, then written with one upsert
 * (unnest); `version` skips any event a row already reflects, so a batch applied twice changes nothing.
 * Addresses are written sealed under the customer's key, one key lookup per batch, so an erasure does not wait
 * for this projection (docs/architecture.md#personal-data-in-read-models). A customer's erasure also drops the
 * ciphertext of all their carts in one statement, after the upsert.
 */
@Projection('carts')
@Injectable()
export class CartsProjection implements ProjectionHandler {
  readonly eventTypes = [...CART_EVENT_TYPES, ...CUSTOMER_EVENT_TYPES];
  readonly tables = ['carts'];
  private readonly columns: PersonalDataColumns;

  constructor(store: PostgresEventStore) {
    this.columns = store.personalData.columns;
  }

  async apply(events: readonly PersistedEvent[], tx: EntityManager): Promise<void> {
    const cartEvents = events.filter((e) => CART_TYPES.has(e.type));
    const erasedCustomers = events
      .filter((e) => e.type === ERASED)
      .map((e) => (e.data as CustomerEvent['data']).customerId);
    await this.applyCartEvents(cartEvents, tx);
    if (erasedCustomers.length > 0) await eraseAddresses(erasedCustomers, tx);
  }

  private async applyCartEvents(
    events: readonly PersistedEvent[],
    tx: EntityManager,
  ): Promise<void> {
    if (events.length === 0) return;
    const ids = [...new Set(events.map((e) => (e.data as CartEvent['data']).cartId))];
    const rows = await tx.getRepository(CartView).findBy({ id: In(ids) });
    const carts = new Map(rows.map((row) => [row.id, row]));
    const changed = new Set<CartView>();
    /** The addresses entered in this batch, in clear until sealed below. */
    const entered = new Map<CartView, PersonalAddress>();

    for (const stored of events) {
      const event = { type: stored.type, data: stored.data } as CartEvent;
      const cart = carts.get(event.data.cartId);
      if (event.type === 'CartCreated') {
        if (cart) continue;
        const created = Object.assign(new CartView(), {
          id: event.data.cartId,
          customerId: event.data.customerId,
          status: 'open',
          currency: null,
          items: [],
          total: 0,
          shipping: null,
          orderId: null,
          version: stored.streamVersion,
          createdAt: stored.recordedAt,
          updatedAt: stored.recordedAt,
        } satisfies CartView);
        carts.set(created.id, created);
        changed.add(created);
        continue;
      }
      // A cart stream starts with CartCreated: anything else first is a broken stream, dead-lettered to be seen.
      if (!cart) throw new Error(`${event.type} for cart ${event.data.cartId}, never created`);
      if (stored.streamVersion <= cart.version) continue;
      evolve(cart, event);
      if (event.type === 'ShippingInfoEntered') {
        const { name, street, city, postalCode } = event.data;
        entered.set(cart, { name, street, city, postalCode });
      }
      cart.version = stored.streamVersion;
      cart.updatedAt = stored.recordedAt;
      changed.add(cart);
    }

    if (changed.size === 0) return;
    await this.seal(entered, tx);
    const upserts = [...changed];
    await tx.query(
      `INSERT INTO carts (id, customer_id, status, currency, items, total, shipping, order_id, version, created_at, updated_at)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::char(3)[], $5::jsonb[], $6::bigint[],
                            $7::jsonb[], $8::uuid[], $9::int[], $10::timestamptz[], $11::timestamptz[])
       ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, currency = EXCLUDED.currency,
         items = EXCLUDED.items, total = EXCLUDED.total, shipping = EXCLUDED.shipping,
         order_id = EXCLUDED.order_id, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
       WHERE carts.version < EXCLUDED.version`,
      [
        upserts.map((c) => c.id),
        upserts.map((c) => c.customerId),
        upserts.map((c) => c.status),
        upserts.map((c) => c.currency),
        upserts.map((c) => JSON.stringify(c.items)),
        upserts.map((c) => c.total),
        upserts.map((c) => (c.shipping === null ? null : JSON.stringify(c.shipping))),
        upserts.map((c) => c.orderId),
        upserts.map((c) => c.version),
        upserts.map((c) => c.createdAt),
        upserts.map((c) => c.updatedAt),
      ],
    );
  }

  /**
   * One key lookup for the batch, on the transaction's connection; a customer erased meanwhile gets no address
   * stored, only its country.
   */
  private async seal(
    entered: ReadonlyMap<CartView, PersonalAddress>,
    tx: EntityManager,
  ): Promise<void> {
    if (entered.size === 0) return;
    const carts = [...entered.keys()];
    const sealed = await this.columns.seal(
      SHIPPING_COLUMN,
      carts.map((cart) => ({ subject: cart.shipping!.subject, value: entered.get(cart) })),
      (await tx.queryRunner!.connect()) as PoolClient,
    );
    carts.forEach((cart, i) => {
      cart.shipping = { ...cart.shipping!, sealed: sealed[i]?.toString('base64') ?? null };
    });
  }
}

/** The sealed part of every address of these customers dropped; the country stays. */
function eraseAddresses(customerIds: readonly string[], tx: EntityManager): Promise<unknown> {
  return tx.query(
    `UPDATE carts SET shipping = jsonb_set(shipping, '{sealed}', 'null')
     WHERE customer_id = ANY($1::uuid[]) AND shipping IS NOT NULL`,
    [customerIds],
  );
}

function evolve(cart: CartView, event: Exclude<CartEvent, { type: 'CartCreated' }>): void {
  switch (event.type) {
    case 'ItemAdded': {
      const { productId, quantity, unitPrice, currency } = event.data;
      const line = cart.items.find((item) => item.productId === productId);
      if (line) line.quantity += quantity;
      else cart.items.push({ productId, quantity, unitPrice });
      cart.currency ??= currency;
      break;
    }
    case 'ItemRemoved': {
      const { productId, quantity } = event.data;
      cart.items = cart.items
        .map((item): CartLine =>
          item.productId === productId ? { ...item, quantity: item.quantity - quantity } : item,
        )
        .filter((item) => item.quantity > 0);
      break;
    }
    case 'ShippingInfoEntered':
      // The personal fields are sealed by the caller, for the whole batch at once.
      cart.shipping = { country: event.data.country, subject: event.data.customerId, sealed: null };
      break;
    case 'CartCheckedOut':
      cart.status = 'checked-out';
      cart.orderId = event.data.orderId;
      break;
    default: {
      const unhandled: never = event;
      throw new Error(`Unhandled event ${(unhandled as CartEvent).type}`);
    }
  }
  cart.total = totalOf(cart.items);
}
