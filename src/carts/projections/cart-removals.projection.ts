import {
  compositeId,
  type DeclaredProjection,
  type ProjectedEvent,
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

/** `cart_item_removals`: every product taken out of a cart, by the UTC day it was removed (only after it was added). */
export const cartItemRemovals: DeclaredProjection<CartItemRemoval, ItemRemoved> = {
  name: 'cart-removals',
  eventTypes: ['ItemRemoved'],
  entity: CartItemRemoval,
  rowId: (event) => compositeId(event.data.cartId, String(event.streamVersion)),
  evolve: evolveRemoval,
  appendOnly: true,
};
