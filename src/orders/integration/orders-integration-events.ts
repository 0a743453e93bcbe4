import {
  closedObject,
  field,
  type IntegrationContract,
  integrationEvent,
} from '../../integration/index.js';
import {
  CANCELLATION_REASONS,
  NOT_PLACED_REASONS,
  type OrderCancelled,
  type OrderNotPlaced,
  type OrderPlaced,
  type OrderShipped,
  type PaymentProcessed,
} from '../domain/order.events.js';

const orderId = field.uuid('The order');

/**
 * orders.v1: the order's life, by ids, amounts (integer minor units) and reason codes. The shipping address
 * (personal data of the customer, sealed under their key in the store) never leaves, not even its country.
 */
export const ORDERS_INTEGRATION_EVENTS: IntegrationContract = {
  context: 'orders',
  version: 1,
  events: [
    integrationEvent<OrderPlaced>({
      type: 'OrderPlaced',
      name: 'OrderPlaced',
      summary: 'An order was placed from a checked-out cart; its payment follows',
      payload: closedObject({
        orderId,
        cartId: field.uuid('The cart it was checked out from'),
        customerId: field.uuid('The customer'),
        accountId: field.uuid('The account that pays it'),
        currency: field.currency(),
        total: field.amount('Sum of quantity x unit price, integer minor units'),
        lines: {
          type: 'array',
          minItems: 1,
          items: closedObject({
            productId: { type: 'string', minLength: 1, maxLength: 64 },
            quantity: { type: 'integer', minimum: 1 },
            unitPrice: field.amount('Integer minor units'),
          }),
        },
      }),
      map: ({ orderId, cartId, customerId, accountId, currency, total, lines }) => ({
        orderId,
        cartId,
        customerId,
        accountId,
        currency,
        total,
        lines: lines.map(({ productId, quantity, unitPrice }) => ({
          productId,
          quantity,
          unitPrice,
        })),
      }),
    }),
    integrationEvent<OrderNotPlaced>({
      type: 'OrderNotPlaced',
      name: 'OrderNotPlaced',
      summary:
        "A checked-out cart did not become an order: its customer's personal data was erased first; no payment was asked",
      payload: closedObject({
        orderId,
        cartId: field.uuid('The cart it was checked out from'),
        customerId: field.uuid('The customer'),
        accountId: field.uuid('The account that would have paid it'),
        reason: field.code('Why', NOT_PLACED_REASONS),
      }),
      map: ({ orderId, cartId, customerId, accountId, reason }) => ({
        orderId,
        cartId,
        customerId,
        accountId,
        reason,
      }),
    }),
    integrationEvent<PaymentProcessed>({
      type: 'PaymentProcessed',
      name: 'OrderPaid',
      summary: "The order's payment was taken from its account",
      payload: closedObject({
        orderId,
        accountId: field.uuid('The account it was paid from'),
        amount: field.amount('Integer minor units'),
      }),
      map: ({ orderId, accountId, amount }) => ({ orderId, accountId, amount }),
    }),
    integrationEvent<OrderShipped>({
      type: 'OrderShipped',
      name: 'OrderShipped',
      summary: "The order's shipment was dispatched",
      payload: closedObject({ orderId, shipmentId: field.uuid('The shipment') }),
      map: ({ orderId, shipmentId }) => ({ orderId, shipmentId }),
    }),
    integrationEvent<OrderCancelled>({
      type: 'OrderCancelled',
      name: 'OrderCancelled',
      summary: 'The order was cancelled: its payment was declined or did not come in time',
      payload: closedObject({
        orderId,
        reason: field.code('Why', CANCELLATION_REASONS),
        detail: {
          type: ['string', 'null'],
          pattern: '^[a-z0-9]+(-[a-z0-9]+)*$',
          description: 'The code of the decline, e.g. insufficient-funds; null when none',
        },
      }),
      map: ({ orderId, reason, detail }) => ({ orderId, reason, detail: detail ?? null }),
    }),
  ],
};
