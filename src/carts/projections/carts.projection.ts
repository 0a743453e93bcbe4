import { Injectable } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import type { PersistedEvent } from '../../event-store/persisted-event.js';
import { Projection, type ProjectionHandler } from '../../projections/projection.js';
import { totalOf } from '../domain/cart.js';
import { CART_EVENT_TYPES, type CartEvent, type CartLine } from '../domain/cart.events.js';
import { CartView } from './cart-view.entity.js';

/**
 * One row per cart. A batch is folded in memory over the rows it touches, then written with one upsert
 * (unnest); `version` skips any event a row already reflects, so a batch applied twice changes nothing.
 */
@Projection('carts')
@Injectable()
export class CartsProjection implements ProjectionHandler {
  readonly eventTypes = CART_EVENT_TYPES;
  readonly tables = ['carts'];

  async apply(events: readonly PersistedEvent[], tx: EntityManager): Promise<void> {
    const ids = [...new Set(events.map((e) => (e.data as CartEvent['data']).cartId))];
    const rows = await tx.getRepository(CartView).findBy({ id: In(ids) });
    const carts = new Map(rows.map((row) => [row.id, row]));
    const changed = new Set<CartView>();

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
      cart.version = stored.streamVersion;
      cart.updatedAt = stored.recordedAt;
      changed.add(cart);
    }

    if (changed.size === 0) return;
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
    case 'ShippingInfoEntered': {
      const { name, street, city, postalCode, country } = event.data;
      cart.shipping = { name, street, city, postalCode, country };
      break;
    }
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
