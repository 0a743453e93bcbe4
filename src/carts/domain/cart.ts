import type { AggregateDefinition } from '../../event-store/index.js';
import { PERSONAL_DATA_ERASED } from '../../shared/personal-data-erased.js';
import { isCurrencyCode } from '../../shared/currency.js';
import type {
  CartCheckedOut,
  CartCreated,
  CartEvent,
  CartLine,
  ItemAdded,
  ItemRemoved,
  ShippingAddress,
  ShippingInfoEntered,
} from './cart.events.js';
import {
  CartAlreadyCheckedOut,
  CartAlreadyCreated,
  CartEmpty,
  CartItemNotFound,
  CartNotFound,
  CartTotalLimitExceeded,
  CurrencyMismatch,
  InvalidCartInput,
  QuantityLimitExceeded,
  ShippingAddressErased,
  ShippingInfoMissing,
  UnitPriceMismatch,
} from './cart.errors.js';
import { isCountryCode } from './countries.js';

export const MAX_QUANTITY = 1000;
export const MAX_UNIT_PRICE = 1_000_000_000_000;
export const MAX_TOTAL = 1_000_000_000_000;
/** A SKU-like token, safe in a URL path unencoded; a UUID is one. Case-sensitive. */
export const PRODUCT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Longest length of each address field, after trimming. */
export const ADDRESS_LIMITS = { name: 200, street: 200, city: 100, postalCode: 20 } as const;
export const POSTAL_CODE = /^[A-Za-z0-9](?:[A-Za-z0-9 -]*[A-Za-z0-9])?$/;

export type OpenCart = {
  id: string;
  customerId: string;
  /** Fixed by the first item added, for the life of the cart. */
  currency?: string;
  lines: readonly CartLine[];
  shipping?: ShippingAddress;
  /** The customer's personal data was erased: the address entered reads as the placeholder, unusable. */
  addressErased?: true;
} & ({ status: 'open'; orderId?: undefined } | { status: 'checked-out'; orderId: string });
export type CartState = { status: 'none' } | OpenCart;

export type CreateCart = { cartId: string; customerId: string };
/**
 * The cart a command is about, and who may touch it: with `ownedBy` set, only a cart of that customer; any other
 * is answered as a missing one (CartNotFound), so whether it exists does not leak.
 */
export type CartRef = { cartId: string; ownedBy?: string };
export type AddItem = CartRef & {
  productId: string;
  quantity: number;
  unitPrice: number;
  currency: string;
};
export type RemoveItem = CartRef & { productId: string };
export type EnterShippingInfo = CartRef & ShippingAddress;
/** `orderId`: the order the cart becomes, derived from the cart (`orderIdOf`) so a retry never places a second. */
export type CheckOut = CartRef & { accountId: string; orderId: string };

export const initialState = (): CartState => ({ status: 'none' });

export function evolve(state: CartState, event: CartEvent): CartState {
  switch (event.type) {
    case 'CartCreated':
      return {
        status: 'open',
        id: event.data.cartId,
        customerId: event.data.customerId,
        lines: [],
      };
    case 'ItemAdded': {
      if (state.status === 'none') return state;
      const { productId, quantity, unitPrice, currency } = event.data;
      const known = state.lines.some((line) => line.productId === productId);
      const lines = known
        ? state.lines.map((line) =>
            line.productId === productId ? { ...line, quantity: line.quantity + quantity } : line,
          )
        : [...state.lines, { productId, quantity, unitPrice }];
      return { ...state, currency: state.currency ?? currency, lines };
    }
    case 'ItemRemoved': {
      if (state.status === 'none') return state;
      const { productId, quantity } = event.data;
      const lines = state.lines
        .map((line) =>
          line.productId === productId ? { ...line, quantity: line.quantity - quantity } : line,
        )
        .filter((line) => line.quantity > 0);
      return { ...state, lines };
    }
    case 'ShippingInfoEntered': {
      if (state.status === 'none') return state;
      const { name, street, city, postalCode, country } = event.data;
      const { shipping: _previous, addressErased: _erased, ...cart } = state;
      // No postal code can be the placeholder (POSTAL_CODE refuses brackets): this one was erased.
      if (postalCode === PERSONAL_DATA_ERASED) return { ...cart, addressErased: true };
      return { ...cart, shipping: { name, street, city, postalCode, country } };
    }
    case 'CartCheckedOut':
      return state.status === 'none'
        ? state
        : { ...state, status: 'checked-out', orderId: event.data.orderId };
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

export const totalOf = (lines: readonly CartLine[]): number =>
  lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0);

export function create(state: CartState, { cartId, customerId }: CreateCart): CartCreated[] {
  if (state.status !== 'none') throw new CartAlreadyCreated(cartId);
  requireUuid('customerId', customerId);
  return [{ type: 'CartCreated', data: { cartId, customerId } }];
}

/**
 * A product already in the cart gets the quantity added to its line, at the line's unit price; the line stays
 * within 1..1000 and the cart's total within 10^12, so a cart that takes an item can always be checked out.
 */
export function addItem(state: CartState, command: AddItem): ItemAdded[] {
  const cart = requireOpen(state, command);
  const { productId, quantity, unitPrice, currency } = command;
  if (typeof productId !== 'string' || !PRODUCT_ID.test(productId))
    throw new InvalidCartInput('productId', `productId must match ${PRODUCT_ID.source}`);
  if (!isWhole(quantity, MAX_QUANTITY))
    throw new InvalidCartInput(
      'quantity',
      `quantity must be a whole number from 1 to ${MAX_QUANTITY}`,
    );
  if (!isWhole(unitPrice, MAX_UNIT_PRICE))
    throw new InvalidCartInput(
      'unitPrice',
      'unitPrice must be a whole number of minor units from 1 to 10^12',
    );
  if (!isCurrencyCode(currency))
    throw new InvalidCartInput('currency', 'currency must be an ISO 4217 code, e.g. EUR');
  if (cart.currency !== undefined && cart.currency !== currency)
    throw new CurrencyMismatch(cart.currency, currency);
  const line = cart.lines.find((l) => l.productId === productId);
  if (line && line.unitPrice !== unitPrice)
    throw new UnitPriceMismatch(productId, line.unitPrice, unitPrice);
  if (line && line.quantity + quantity > MAX_QUANTITY)
    throw new QuantityLimitExceeded(productId, line.quantity, quantity, MAX_QUANTITY);
  const total = totalOf(cart.lines) + quantity * unitPrice;
  if (total > MAX_TOTAL) throw new CartTotalLimitExceeded(total, MAX_TOTAL);
  return [
    {
      type: 'ItemAdded',
      data: { cartId: cart.id, productId, quantity, unitPrice, currency },
    },
  ];
}

/** The whole line goes. */
export function removeItem(state: CartState, command: RemoveItem): ItemRemoved[] {
  const { cartId, productId } = command;
  const cart = requireOpen(state, command);
  const line = cart.lines.find((l) => l.productId === productId);
  if (!line) throw new CartItemNotFound(cartId, productId);
  return [{ type: 'ItemRemoved', data: { cartId: cart.id, productId, quantity: line.quantity } }];
}

/** Trimmed; entering an address again replaces the previous one. */
export function enterShippingInfo(
  state: CartState,
  command: EnterShippingInfo,
): ShippingInfoEntered[] {
  const cart = requireOpen(state, command);
  const address = {
    name: text('name', command.name),
    street: text('street', command.street),
    city: text('city', command.city),
    postalCode: text('postalCode', command.postalCode),
    country: command.country,
  };
  if (!POSTAL_CODE.test(address.postalCode))
    throw new InvalidCartInput(
      'postalCode',
      'postalCode may hold only letters, digits, spaces and hyphens',
    );
  if (!isCountryCode(address.country))
    throw new InvalidCartInput('country', 'country must be an ISO 3166-1 alpha-2 code, e.g. DE');
  return [
    {
      type: 'ShippingInfoEntered',
      data: { cartId: cart.id, customerId: cart.customerId, ...address },
    },
  ];
}

export function checkOut(state: CartState, command: CheckOut): CartCheckedOut[] {
  const { cartId, accountId, orderId } = command;
  const cart = requireOpen(state, command);
  requireUuid('accountId', accountId);
  if (cart.lines.length === 0 || cart.currency === undefined) throw new CartEmpty(cartId);
  if (!cart.shipping)
    throw cart.addressErased
      ? new ShippingAddressErased(cartId, cart.customerId)
      : new ShippingInfoMissing(cartId);
  const total = totalOf(cart.lines);
  if (total > MAX_TOTAL) throw new CartTotalLimitExceeded(total, MAX_TOTAL);
  return [
    {
      type: 'CartCheckedOut',
      data: {
        cartId: cart.id,
        orderId,
        customerId: cart.customerId,
        accountId,
        currency: cart.currency,
        total,
        lines: cart.lines.map(({ productId, quantity, unitPrice }) => ({
          productId,
          quantity,
          unitPrice,
        })),
        shipping: { ...cart.shipping },
      },
    },
  ];
}

/** The cart, if `ownedBy` may see it: someone else's is refused exactly as a missing one, before anything else. */
export function requireVisible(state: CartState, { cartId, ownedBy }: CartRef): OpenCart {
  if (state.status === 'none') throw new CartNotFound(cartId);
  // Customer ids are stored lower-case since the request lowercased them; an older event may not be.
  if (ownedBy !== undefined && ownedBy.toLowerCase() !== state.customerId.toLowerCase())
    throw new CartNotFound(cartId);
  return state;
}

function requireOpen(state: CartState, ref: CartRef): OpenCart {
  const cart = requireVisible(state, ref);
  if (cart.status === 'checked-out') throw new CartAlreadyCheckedOut(cart.id, cart.orderId);
  return cart;
}

function requireUuid(field: string, value: unknown): void {
  if (typeof value !== 'string' || !UUID.test(value))
    throw new InvalidCartInput(field, `${field} must be a UUID`);
}

function isWhole(value: unknown, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= max;
}

function text(field: keyof typeof ADDRESS_LIMITS, value: unknown): string {
  const max = ADDRESS_LIMITS[field];
  const trimmed = typeof value === 'string' ? value.trim() : '';
  if (trimmed.length === 0 || trimmed.length > max)
    throw new InvalidCartInput(field, `${field} must be 1 to ${max} characters and not blank`);
  return trimmed;
}

export const cartDefinition: AggregateDefinition<CartState, CartEvent> = {
  streamType: 'cart',
  initialState,
  evolve,
};
