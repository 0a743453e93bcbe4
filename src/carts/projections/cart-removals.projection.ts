import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PersistedEvent } from '../../event-store/index.js';
import {
  compositeId,
  type EntityProjection,
  type ProjectedEvent,
  Projection,
  type ProjectionHandler,
  writeEntities,
} from '../../projections/index.js';
import type { ItemRemoved } from '../domain/cart.events.js';
import { CartItemRemoval } from './cart-item-removal.entity.js';

/** A removal is written once, keyed by the event's place in its stream: a batch applied twice adds nothing. */
export function evolveRemoval(
  row: CartItemRemoval | null,
  { data, streamVersion, recordedAt }: ProjectedEvent<ItemRemoved>,
): CartItemRemoval {
  return (
    row ?? {
      cartId: data.cartId,
      streamVersion,
      productId: data.productId,
      quantity: data.quantity,
      removedOn: recordedAt.toISOString().slice(0, 10),
      recordedAt,
    }
  );
}

/** `cart_item_removals`: every product taken out of a cart, by the UTC day it was removed. */
export const cartItemRemovals: EntityProjection<CartItemRemoval, ItemRemoved> = {
  entity: CartItemRemoval,
  rowId: (event) => compositeId(event.data.cartId, String(event.streamVersion)),
  evolve: evolveRemoval,
  appendOnly: true,
};

/** The entity projection `cartItemRemovals`. A product can only be removed after it was added. */
@Projection('cart-removals')
@Injectable()
export class CartRemovalsProjection implements ProjectionHandler {
  readonly eventTypes = ['ItemRemoved'] satisfies Array<ItemRemoved['type']>;
  readonly tables = ['cart_item_removals'];

  async apply(events: readonly PersistedEvent[], tx: EntityManager): Promise<void> {
    await writeEntities(
      cartItemRemovals,
      events.filter((e) => e.type === 'ItemRemoved'),
      tx,
    );
  }
}
