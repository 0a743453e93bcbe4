import type { PersonalDataColumns } from '../../event-store/index.js';
import { at, projectionSpecFor } from '../../projections/testing/entity-projection-spec.js';
import type { CartEvent } from '../domain/cart.events.js';
import { cartViews } from './cart-view.projection.js';

const given = projectionSpecFor(cartViews({} as PersonalDataColumns));
const cartId = '7a1c2d3e-0000-4000-8000-000000000001';
const customerId = '7a1c2d3e-0000-4000-8000-0000000000cc';
const orderId = '7a1c2d3e-0000-4000-8000-0000000000dd';
const created: CartEvent = { type: 'CartCreated', data: { cartId, customerId } };
const added = (productId: string, quantity: number, unitPrice: number): CartEvent => ({
  type: 'ItemAdded',
  data: { cartId, productId, quantity, unitPrice, currency: 'EUR' },
});
const address = { name: 'Ada', street: '1 Loop Rd', city: 'London', postalCode: 'N1' };

const openCart = {
  id: cartId,
  customerId,
  status: 'open' as const,
  shipping: null,
  orderId: null,
  createdAt: new Date('2026-12-01T10:00:00.000Z'),
};

describe('carts', () => {
  it('creates an empty open cart', () => {
    given([at(created, 1, '2026-12-01T10:00:00.000Z')]).then([
      {
        ...openCart,
        currency: null,
        items: [],
        total: 0,
        version: 1,
        updatedAt: new Date('2026-12-01T10:00:00.000Z'),
      },
    ]);
  });

  it('adds to the line of a product already there, keeps the first currency, and removes whole lines', () => {
    given([
      at(created, 1, '2026-12-01T10:00:00.000Z'),
      at(added('book', 1, 1500), 2, '2026-12-01T10:01:00.000Z'),
      at(added('pen', 3, 200), 3, '2026-12-01T10:02:00.000Z'),
      at(added('book', 2, 1500), 4, '2026-12-01T10:03:00.000Z'),
      at(
        { type: 'ItemRemoved', data: { cartId, productId: 'pen', quantity: 3 } },
        5,
        '2026-12-01T10:04:00.000Z',
      ),
    ]).then([
      {
        ...openCart,
        currency: 'EUR',
        items: [{ productId: 'book', quantity: 3, unitPrice: 1500 }],
        total: 4500,
        version: 5,
        updatedAt: new Date('2026-12-01T10:04:00.000Z'),
      },
    ]);
  });

  it('keeps the country of an address in clear and the rest to be sealed, then checks out', () => {
    given([
      at(created, 1, '2026-12-01T10:00:00.000Z'),
      at(added('book', 1, 1500), 2, '2026-12-01T10:01:00.000Z'),
      at(
        { type: 'ShippingInfoEntered', data: { cartId, customerId, ...address, country: 'GB' } },
        3,
        '2026-12-01T10:02:00.000Z',
      ),
      at(
        {
          type: 'CartCheckedOut',
          data: {
            cartId,
            orderId,
            customerId,
            accountId: customerId,
            currency: 'EUR',
            total: 1500,
            lines: [{ productId: 'book', quantity: 1, unitPrice: 1500 }],
            shipping: { ...address, country: 'GB' },
          },
        },
        4,
        '2026-12-01T10:03:00.000Z',
      ),
    ]).then([
      {
        ...openCart,
        status: 'checked-out',
        orderId,
        currency: 'EUR',
        items: [{ productId: 'book', quantity: 1, unitPrice: 1500 }],
        total: 1500,
        shipping: { country: 'GB', subject: customerId, sealed: null },
        enteredAddress: address,
        version: 4,
        updatedAt: new Date('2026-12-01T10:03:00.000Z'),
      },
    ]);
  });

  it('skips an event the row already reflects', () => {
    given([
      at(created, 1, '2026-12-01T10:00:00.000Z'),
      at(added('book', 1, 1500), 2, '2026-12-01T10:01:00.000Z'),
      at(added('book', 1, 1500), 2, '2026-12-01T10:01:00.000Z'),
    ]).then([
      {
        ...openCart,
        currency: 'EUR',
        items: [{ productId: 'book', quantity: 1, unitPrice: 1500 }],
        total: 1500,
        version: 2,
        updatedAt: new Date('2026-12-01T10:01:00.000Z'),
      },
    ]);
  });

  it('refuses an event of a cart never created (a broken stream, to be dead-lettered)', () => {
    expect(() =>
      given([at(added('book', 1, 1500), 2, '2026-12-01T10:01:00.000Z')]).then([]),
    ).toThrow(/never created/);
  });
});
