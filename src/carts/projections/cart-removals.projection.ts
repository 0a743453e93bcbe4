import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PersistedEvent } from '../../event-store/index.js';
import { Projection, type ProjectionHandler } from '../../projections/projection.js';
import type { ItemRemoved } from '../domain/cart.events.js';

/**
 * Every product taken out of a cart, by the UTC day it was removed: one insert per batch, keyed by the event's
 * place in its stream, so a batch applied twice adds nothing. A product can only be removed after it was added.
 */
@Projection('cart-removals')
@Injectable()
export class CartRemovalsProjection implements ProjectionHandler {
  readonly eventTypes = ['ItemRemoved'] satisfies Array<ItemRemoved['type']>;
  readonly tables = ['cart_item_removals'];

  async apply(events: readonly PersistedEvent[], tx: EntityManager): Promise<void> {
    const removals = events.filter((e) => e.type === 'ItemRemoved');
    if (removals.length === 0) return;
    const data = (e: PersistedEvent) => e.data as ItemRemoved['data'];
    await tx.query(
      `INSERT INTO cart_item_removals (cart_id, stream_version, product_id, quantity, removed_on, recorded_at)
       SELECT cart_id, stream_version, product_id, quantity, (recorded_at AT TIME ZONE 'UTC')::date, recorded_at
       FROM unnest($1::uuid[], $2::int[], $3::text[], $4::int[], $5::timestamptz[])
         AS r(cart_id, stream_version, product_id, quantity, recorded_at)
       ON CONFLICT (cart_id, stream_version) DO NOTHING`,
      [
        removals.map((e) => data(e).cartId),
        removals.map((e) => e.streamVersion),
        removals.map((e) => data(e).productId),
        removals.map((e) => data(e).quantity),
        removals.map((e) => e.recordedAt),
      ],
    );
  }
}
