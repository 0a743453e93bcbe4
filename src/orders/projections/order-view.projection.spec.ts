import { at, projectionSpecFor } from '../../projections/testing/entity-projection-spec.js';
import type { OrderView } from './order-view.entity.js';
import { orderViews, type OrderViewEvent } from './order-view.projection.js';

const given = projectionSpecFor(orderViews);
const orderId = '9c1c2d3e-0000-4000-8000-000000000001';
const cartId = '9c1c2d3e-0000-4000-8000-0000000000ca';
const customerId = '9c1c2d3e-0000-4000-8000-0000000000cc';
const accountId = '9c1c2d3e-0000-4000-8000-0000000000ac';
const shipmentId = '9c1c2d3e-0000-4000-8000-000000000055';
const lines = [{ productId: 'book', quantity: 2, unitPrice: 1500 }];
const address = {
  name: 'Ada',
  street: '1 Loop Rd',
  city: 'London',
  postalCode: 'N1',
  country: 'GB',
};

const placed: OrderViewEvent = {
  type: 'OrderPlaced',
  data: {
    orderId,
    cartId,
    customerId,
    accountId,
    lines,
    total: 3000,
    currency: 'EUR',
    shipping: address,
  },
};
const paid: OrderViewEvent = {
  type: 'PaymentProcessed',
  data: { orderId, accountId, amount: 3000, withdrawalPosition: 41 },
};
const shipmentCreated: OrderViewEvent = {
  type: 'ShipmentCreated',
  data: { shipmentId, orderId },
};

const at0 = new Date('2026-12-01T10:00:00.000Z');
const placedRow: OrderView = {
  id: orderId,
  seq: 40,
  cartId,
  customerId,
  accountId,
  status: 'placed',
  currency: 'EUR',
  total: 3000,
  lines,
  paidAmount: null,
  withdrawalPosition: null,
  paidAt: null,
  shipmentId: null,
  shippedAt: null,
  cancellationReason: null,
  cancellationDetail: null,
  cancelledAt: null,
  version: 1,
  placedAt: at0,
  updatedAt: at0,
};

describe('orders', () => {
  it('places an order at the position of its OrderPlaced', () => {
    given([at(placed, 1, '2026-12-01T10:00:00.000Z', 40)]).then([placedRow]);
  });

  it('is paid, then awaits shipment once shipping created its shipment, then is shipped', () => {
    given([
      at(placed, 1, '2026-12-01T10:00:00.000Z', 40),
      at(paid, 2, '2026-12-01T10:01:00.000Z', 42),
      at(shipmentCreated, 1, '2026-12-01T10:02:00.000Z', 43),
    ]).then([
      {
        ...placedRow,
        status: 'awaiting-shipment',
        paidAmount: 3000,
        withdrawalPosition: 41,
        paidAt: new Date('2026-12-01T10:01:00.000Z'),
        shipmentId,
        version: 2,
        updatedAt: new Date('2026-12-01T10:02:00.000Z'),
      },
    ]);
  });

  it('applies a shipment once and skips order events it already reflects', () => {
    given([
      at(placed, 1, '2026-12-01T10:00:00.000Z', 40),
      at(paid, 2, '2026-12-01T10:01:00.000Z', 42),
      at(shipmentCreated, 1, '2026-12-01T10:02:00.000Z', 43),
      at(paid, 2, '2026-12-01T10:05:00.000Z', 42),
      at(shipmentCreated, 1, '2026-12-01T10:05:00.000Z', 43),
      at(
        { type: 'OrderShipped', data: { orderId, shipmentId } },
        3,
        '2026-12-01T11:00:00.000Z',
        50,
      ),
    ]).then([
      {
        ...placedRow,
        status: 'shipped',
        paidAmount: 3000,
        withdrawalPosition: 41,
        paidAt: new Date('2026-12-01T10:01:00.000Z'),
        shipmentId,
        shippedAt: new Date('2026-12-01T11:00:00.000Z'),
        version: 3,
        updatedAt: new Date('2026-12-01T11:00:00.000Z'),
      },
    ]);
  });

  it('is cancelled with its reason', () => {
    given([
      at(placed, 1, '2026-12-01T10:00:00.000Z', 40),
      at(
        {
          type: 'OrderCancelled',
          data: { orderId, reason: 'payment-declined', detail: 'insufficient-funds' },
        },
        2,
        '2026-12-01T10:01:00.000Z',
        42,
      ),
    ]).then([
      {
        ...placedRow,
        status: 'cancelled',
        cancellationReason: 'payment-declined',
        cancellationDetail: 'insufficient-funds',
        cancelledAt: new Date('2026-12-01T10:01:00.000Z'),
        version: 2,
        updatedAt: new Date('2026-12-01T10:01:00.000Z'),
      },
    ]);
  });

  it('shows an order not placed (its customer erased first) as cancelled from the start, with the reason', () => {
    const { shipping: _shipping, ...checkout } = placed.data as Extract<
      OrderViewEvent,
      { type: 'OrderPlaced' }
    >['data'];
    const notPlaced: OrderViewEvent = {
      type: 'OrderNotPlaced',
      data: { ...checkout, reason: 'personal-data-erased' },
    };
    given([at(notPlaced, 1, '2026-12-01T10:00:00.000Z', 40)]).then([
      {
        ...placedRow,
        status: 'cancelled',
        cancellationReason: 'personal-data-erased',
        cancelledAt: at0,
      },
    ]);
  });

  it('refuses an event of an order never placed (a broken stream, to be dead-lettered)', () => {
    expect(() => given([at(paid, 2, '2026-12-01T10:01:00.000Z')]).then([])).toThrow(/never placed/);
  });
});
