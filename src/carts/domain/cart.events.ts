import type { EventTypeDefinition } from '../../event-store/index.js';

/** Where an order is shipped to. Personal data of the customer, except the country. */
export type ShippingAddress = {
  name: string;
  street: string;
  city: string;
  postalCode: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
};

/** A product of a cart: its unit price is fixed by the first add (integer minor units). */
export type CartLine = {
  productId: string;
  quantity: number;
  unitPrice: number;
};

export type CartCreated = {
  type: 'CartCreated';
  data: { cartId: string; customerId: string };
};
/** `quantity` is the quantity added by this event, not the line's new quantity. */
export type ItemAdded = {
  type: 'ItemAdded';
  data: {
    cartId: string;
    productId: string;
    quantity: number;
    unitPrice: number;
    currency: string;
  };
};
/** The whole line leaves the cart; `quantity` is what it held. */
export type ItemRemoved = {
  type: 'ItemRemoved';
  data: { cartId: string; productId: string; quantity: number };
};
export type ShippingInfoEntered = {
  type: 'ShippingInfoEntered';
  data: { cartId: string; customerId: string } & ShippingAddress;
};

/**
 * The contract with the orders context, which places the order from this event alone.
 * `orderId` is deterministicUuid('order', cartId); `total` is the sum of quantity x unitPrice, at most 10^12.
 */
export type CartCheckedOutData = {
  cartId: string;
  orderId: string;
  customerId: string;
  accountId: string;
  currency: string;
  total: number;
  lines: CartLine[];
  shipping: ShippingAddress;
};
export type CartCheckedOut = { type: 'CartCheckedOut'; data: CartCheckedOutData };

export type CartEvent =
  CartCreated | ItemAdded | ItemRemoved | ShippingInfoEntered | CartCheckedOut;

export const CART_EVENT_TYPES: ReadonlyArray<CartEvent['type']> = [
  'CartCreated',
  'ItemAdded',
  'ItemRemoved',
  'ShippingInfoEntered',
  'CartCheckedOut',
];

/** The fields of a ShippingAddress that are personal data of the customer; the country is not. */
export const PERSONAL_ADDRESS_FIELDS = ['name', 'street', 'city', 'postalCode'] as const;

/**
 * The address (but its country) is personal data of the customer: stored encrypted with the customer's key, and
 * read as PERSONAL_DATA_ERASED once the customer is erased, in the cart's events and in CartCheckedOut alike.
 */
export const CART_EVENT_DEFINITIONS: readonly EventTypeDefinition[] = [
  { type: 'CartCreated', schemaVersion: 1 },
  { type: 'ItemAdded', schemaVersion: 1 },
  { type: 'ItemRemoved', schemaVersion: 1 },
  {
    type: 'ShippingInfoEntered',
    schemaVersion: 1,
    personal: { subject: 'customerId', fields: PERSONAL_ADDRESS_FIELDS },
  },
  {
    type: 'CartCheckedOut',
    schemaVersion: 1,
    personal: {
      subject: 'customerId',
      fields: PERSONAL_ADDRESS_FIELDS.map((field) => `shipping.${field}`),
    },
  },
];
