import { contractSpecFor } from '../../integration/testing/contract-spec.js';
import { ORDER_EVENT_TYPES } from '../domain/order.events.js';
import { ORDERS_INTEGRATION_EVENTS } from './orders-integration-events.js';

const orderId = '5d1c8e2f-3a4b-4c6d-8e9f-0a1b2c3d4e5f';
const cartId = '7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d';
const customerId = '0c3f2a1e-5b7d-4e69-8a10-7d2c4b6e9f01';
const accountId = '2f8e6c1a-4b3d-4e5f-9a7b-1c2d3e4f5a6b';
const shipmentId = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b';
const { publish, types } = contractSpecFor(ORDERS_INTEGRATION_EVENTS);

describe("orders.v1: what leaves for each order event (the checkout saga's own events stay inside)", () => {
  it('maps every order event type, and only those', () => {
    expect(types).toEqual([...ORDER_EVENT_TYPES]);
  });

  it('OrderNotPlaced: ids and the reason, no lines', () => {
    const payload = publish({
      type: 'OrderNotPlaced',
      data: {
        orderId,
        cartId,
        customerId,
        accountId,
        lines: [{ productId: 'sku-1', quantity: 1, unitPrice: 700 }],
        total: 700,
        currency: 'EUR',
        reason: 'personal-data-erased',
      },
    });
    expect(payload).toEqual({
      orderId,
      cartId,
      customerId,
      accountId,
      reason: 'personal-data-erased',
    });
  });

  it('OrderPlaced: ids, lines and total, never the shipping address (not even its country)', () => {
    const lines = [
      { productId: 'sku-1', quantity: 2, unitPrice: 700 },
      { productId: 'sku-2', quantity: 1, unitPrice: 50 },
    ];
    const payload = publish({
      type: 'OrderPlaced',
      data: {
        orderId,
        cartId,
        customerId,
        accountId,
        lines,
        total: 1_450,
        currency: 'EUR',
        shipping: {
          name: 'Ada Lovelace',
          street: '12 St James',
          city: 'London',
          postalCode: 'SW1',
          country: 'GB',
        },
      },
    });
    expect(payload).toEqual({
      orderId,
      cartId,
      customerId,
      accountId,
      currency: 'EUR',
      total: 1_450,
      lines,
    });
  });

  it('PaymentProcessed goes out as OrderPaid; OrderShipped and OrderCancelled by ids and codes', () => {
    expect(
      publish({
        type: 'PaymentProcessed',
        data: { orderId, accountId, amount: 1_450, withdrawalPosition: 42 },
      }),
    ).toEqual({ orderId, accountId, amount: 1_450 });
    expect(ORDERS_INTEGRATION_EVENTS.events.find((e) => e.type === 'PaymentProcessed')?.name).toBe(
      'OrderPaid',
    );
    expect(publish({ type: 'OrderShipped', data: { orderId, shipmentId } })).toEqual({
      orderId,
      shipmentId,
    });
    expect(
      publish({
        type: 'OrderCancelled',
        data: { orderId, reason: 'payment-declined', detail: 'insufficient-funds' },
      }),
    ).toEqual({ orderId, reason: 'payment-declined', detail: 'insufficient-funds' });
    expect(
      publish({ type: 'OrderCancelled', data: { orderId, reason: 'payment-timeout' } }),
    ).toEqual({ orderId, reason: 'payment-timeout', detail: null });
  });
});
