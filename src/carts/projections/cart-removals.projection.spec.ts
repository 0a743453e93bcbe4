import { at, projectionSpecFor } from '../../projections/testing/entity-projection-spec.js';
import type { ItemRemoved } from '../domain/cart.events.js';
import { cartItemRemovals } from './cart-removals.projection.js';

const given = projectionSpecFor(cartItemRemovals);
const cartId = '4d1c2d3e-0000-4000-8000-000000000001';
const removed = (productId: string, quantity: number): ItemRemoved => ({
  type: 'ItemRemoved',
  data: { cartId, productId, quantity },
});

describe('cart_item_removals', () => {
  it('writes one row per removal, on the UTC day it was recorded, and a replayed one once', () => {
    given([
      at(removed('book', 2), 3, '2026-12-01T23:30:00.000Z'),
      at(removed('pen', 1), 5, '2026-12-02T00:10:00.000Z'),
      at(removed('book', 2), 3, '2026-12-01T23:30:00.000Z'),
    ]).then([
      {
        cartId,
        streamVersion: 3,
        productId: 'book',
        quantity: 2,
        removedOn: '2026-12-01',
        recordedAt: new Date('2026-12-01T23:30:00.000Z'),
      },
      {
        cartId,
        streamVersion: 5,
        productId: 'pen',
        quantity: 1,
        removedOn: '2026-12-02',
        recordedAt: new Date('2026-12-02T00:10:00.000Z'),
      },
    ]);
  });
});
