import type { EventTypeDefinition } from '../../event-store/index.js';

/** A product of the order at the price the cart fixed (integer minor units). */
export type OrderLine = { productId: string; quantity: number; unitPrice: number };

/** Where the order goes. Personal data of the customer, except the country. */
export type OrderShippingAddress = {
  name: string;
  street: string;
  city: string;
  postalCode: string;
  country: string;
};

/** Placed from the cart's CartCheckedOut alone: the order id is the one the cart derived. */
export type OrderPlaced = {
  type: 'OrderPlaced';
  data: {
    orderId: string;
    cartId: string;
    customerId: string;
    accountId: string;
    lines: OrderLine[];
    total: number;
    currency: string;
    shipping: OrderShippingAddress;
  };
};
/** `withdrawalPosition`: the global position of the MoneyWithdrawn that paid it. */
export type PaymentProcessed = {
  type: 'PaymentProcessed';
  data: { orderId: string; accountId: string; amount: number; withdrawalPosition?: number };
};
export type OrderShipped = {
  type: 'OrderShipped';
  data: { orderId: string; shipmentId: string };
};

export const CANCELLATION_REASONS = ['payment-declined', 'payment-timeout'] as const;
export type CancellationReason = (typeof CANCELLATION_REASONS)[number];
/** `detail`: why the payment was declined, e.g. `insufficient-funds`. */
export type OrderCancelled = {
  type: 'OrderCancelled';
  data: { orderId: string; reason: CancellationReason; detail?: string };
};

/** Why a checkout did not become an order: its customer was erased first. */
export const NOT_PLACED_REASONS = ['personal-data-erased'] as const;

/**
 * The checkout's order could not be placed: its customer's personal data was erased first, so there is no address to
 * ship to and nobody to ship to. The order ends here, cancelled from the start; no payment was asked.
 */
export type OrderNotPlaced = {
  type: 'OrderNotPlaced';
  /** The checkout's order but its address. */
  data: Omit<OrderPlaced['data'], 'shipping'> & { reason: (typeof NOT_PLACED_REASONS)[number] };
};

export type OrderEvent =
  OrderPlaced | OrderNotPlaced | PaymentProcessed | OrderShipped | OrderCancelled;

export const ORDER_EVENT_TYPES: ReadonlyArray<OrderEvent['type']> = [
  'OrderPlaced',
  'OrderNotPlaced',
  'PaymentProcessed',
  'OrderShipped',
  'OrderCancelled',
];

/** The address, but its country, is personal data of the customer: encrypted with their key, erased with it. */
export const ORDER_EVENT_DEFINITIONS: readonly EventTypeDefinition[] = [
  {
    type: 'OrderPlaced',
    schemaVersion: 1,
    personal: {
      subject: 'customerId',
      fields: ['shipping.name', 'shipping.street', 'shipping.city', 'shipping.postalCode'],
    },
  },
  { type: 'OrderNotPlaced', schemaVersion: 1 },
  { type: 'PaymentProcessed', schemaVersion: 1 },
  { type: 'OrderShipped', schemaVersion: 1 },
  { type: 'OrderCancelled', schemaVersion: 1 },
];
