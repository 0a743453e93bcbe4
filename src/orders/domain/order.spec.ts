import { specFor } from '../../shared/testing/given-when-then.js';
import {
  cancel,
  orderDefinition,
  place,
  recordNotPlaced,
  recordPayment,
  ship,
  type PlaceOrder,
  type RecordOrderNotPlaced,
} from './order.js';
import type { OrderEvent } from './order.events.js';
import {
  InvalidOrder,
  OrderAlreadyPaid,
  OrderCancelledAlready,
  OrderNotFound,
  OrderNotPaid,
  OrderShippedElsewhere,
  PaymentMismatch,
} from './order.errors.js';

const orderId = '5d2c8a4e-7f1b-8c3d-9e0a-1b2c3d4e5f60';
const accountId = '9a7b3c1d-2e4f-4a6b-8c0d-1e2f3a4b5c6d';
const shipmentId = '0e1f2a3b-4c5d-8e6f-9a0b-1c2d3e4f5a6b';
const given = specFor(orderDefinition);

const placement: PlaceOrder = {
  orderId,
  cartId: '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed',
  customerId: '6f1c0a52-8d3e-4c7b-9a51-2b7e4d9c0f11',
  accountId,
  lines: [
    { productId: 'sku-1', quantity: 2, unitPrice: 1_000 },
    { productId: 'sku-2', quantity: 1, unitPrice: 500 },
  ],
  total: 2_500,
  currency: 'EUR',
  shipping: {
    name: 'Ada Lovelace',
    street: '12 St James Square',
    city: 'London',
    postalCode: 'SW1Y 4JH',
    country: 'GB',
  },
};
const placed = (): OrderEvent => ({ type: 'OrderPlaced', data: placement });
const payment = { orderId, accountId, amount: 2_500, withdrawalPosition: 42 };
const paid = (): OrderEvent => ({ type: 'PaymentProcessed', data: payment });
const shipped = (id = shipmentId): OrderEvent => ({
  type: 'OrderShipped',
  data: { orderId, shipmentId: id },
});
const cancelled = (): OrderEvent => ({
  type: 'OrderCancelled',
  data: { orderId, reason: 'payment-declined', detail: 'insufficient-funds' },
});

const { shipping: _shipping, ...checkout } = placement;
const refusal: RecordOrderNotPlaced = { ...checkout, reason: 'personal-data-erased' };
const notPlaced = (): OrderEvent => ({ type: 'OrderNotPlaced', data: refusal });

describe('order', () => {
  describe('not placed (the customer was erased before the checkout became an order)', () => {
    it('ends the order before it is placed', () => {
      given([])
        .when((s) => recordNotPlaced(s, refusal))
        .then([notPlaced()]);
    });

    it('ends it once, and never touches an order placed already', () => {
      given([notPlaced()])
        .when((s) => recordNotPlaced(s, refusal))
        .then([]);
      given([placed()])
        .when((s) => recordNotPlaced(s, refusal))
        .then([]);
    });

    it('takes no payment, shipment or placement after it', () => {
      given([notPlaced()])
        .when((s) => recordPayment(s, payment))
        .thenThrows(OrderCancelledAlready);
      given([notPlaced()])
        .when((s) => ship(s, { orderId, shipmentId }))
        .thenThrows(OrderCancelledAlready);
      given([notPlaced()])
        .when((s) => place(s, placement))
        .then([]);
      given([notPlaced()])
        .when((s) => cancel(s, { orderId, reason: 'payment-timeout' }))
        .then([]);
    });
  });

  describe('place', () => {
    it('places an order from a checkout', () => {
      given([])
        .when((s) => place(s, placement))
        .then([placed()]);
    });

    it('places it once: the same checkout delivered again decides nothing', () => {
      given([placed()])
        .when((s) => place(s, placement))
        .then([]);
      given([placed(), cancelled()])
        .when((s) => place(s, placement))
        .then([]);
    });

    it.each([
      ['no lines', { lines: [], total: 0 }],
      ['a total that is not the sum of the lines', { total: 2_499 }],
      ['a quantity of 0', { lines: [{ productId: 'sku-1', quantity: 0, unitPrice: 1 }], total: 0 }],
    ])('refuses %s', (_case, change) => {
      given([])
        .when((s) => place(s, { ...placement, ...change }))
        .thenThrows(InvalidOrder);
    });
  });

  describe('record a payment', () => {
    it('marks a placed order paid', () => {
      given([placed()])
        .when((s) => recordPayment(s, payment))
        .then([paid()]);
    });

    it('records it once', () => {
      given([placed(), paid()])
        .when((s) => recordPayment(s, payment))
        .then([]);
      given([placed(), paid(), shipped()])
        .when((s) => recordPayment(s, payment))
        .then([]);
    });

    it('refuses a payment after a cancellation', () => {
      given([placed(), cancelled()])
        .when((s) => recordPayment(s, payment))
        .thenThrows(OrderCancelledAlready, /cannot be paid/);
    });

    it('refuses another amount or another account', () => {
      given([placed()])
        .when((s) => recordPayment(s, { ...payment, amount: 2_000 }))
        .thenThrows(PaymentMismatch);
      given([placed()])
        .when((s) => recordPayment(s, { ...payment, accountId: orderId }))
        .thenThrows(PaymentMismatch);
    });

    it('refuses an order that does not exist', () => {
      given([])
        .when((s) => recordPayment(s, payment))
        .thenThrows(OrderNotFound);
    });
  });

  describe('ship', () => {
    it('ships a paid order', () => {
      given([placed(), paid()])
        .when((s) => ship(s, { orderId, shipmentId }))
        .then([shipped()]);
    });

    it('ships it once, with one shipment', () => {
      given([placed(), paid(), shipped()])
        .when((s) => ship(s, { orderId, shipmentId }))
        .then([]);
      given([placed(), paid(), shipped()])
        .when((s) => ship(s, { orderId, shipmentId: orderId }))
        .thenThrows(OrderShippedElsewhere);
    });

    it('refuses to ship before the payment, or after a cancellation', () => {
      given([placed()])
        .when((s) => ship(s, { orderId, shipmentId }))
        .thenThrows(OrderNotPaid);
      given([placed(), cancelled()])
        .when((s) => ship(s, { orderId, shipmentId }))
        .thenThrows(OrderCancelledAlready, /cannot be shipped/);
    });
  });

  describe('cancel', () => {
    it('cancels an unpaid order with the reason', () => {
      given([placed()])
        .when((s) =>
          cancel(s, { orderId, reason: 'payment-declined', detail: 'insufficient-funds' }),
        )
        .then([cancelled()]);
      given([placed()])
        .when((s) => cancel(s, { orderId, reason: 'payment-timeout' }))
        .then([{ type: 'OrderCancelled', data: { orderId, reason: 'payment-timeout' } }]);
    });

    it('cancels it once', () => {
      given([placed(), cancelled()])
        .when((s) => cancel(s, { orderId, reason: 'payment-timeout' }))
        .then([]);
    });

    it('refuses to cancel a paid order', () => {
      given([placed(), paid()])
        .when((s) => cancel(s, { orderId, reason: 'payment-timeout' }))
        .thenThrows(OrderAlreadyPaid);
    });
  });
});
