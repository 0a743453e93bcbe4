import { PERSONAL_DATA_ERASED, type PersonalDataColumns } from '../../event-store/index.js';
import { PERSONAL_ADDRESS_FIELDS, type ShippingAddress } from '../domain/cart.events.js';

/** Where a cart's address is kept, sealed under the customer's key. */
export const SHIPPING_COLUMN = 'carts.shipping';

/** The personal part of an address: what is sealed. */
export type PersonalAddress = Omit<ShippingAddress, 'country'>;

/**
 * `carts.shipping` as stored: the country in clear, the rest sealed (base64) under the key of `subject` (the
 * customer id as the events name it); `sealed` is null once the customer is erased.
 */
export interface StoredShipping {
  country: string;
  subject: string;
  sealed: string | null;
}

/**
 * The address, opened with the customer's key row read in the same statement (null: a tombstone, undefined: no
 * row); every personal field reads PERSONAL_DATA_ERASED once the value or the key is destroyed.
 */
export function openShipping(
  columns: PersonalDataColumns,
  stored: StoredShipping,
  wrappedKey: Buffer | null | undefined,
): ShippingAddress {
  const sealed = stored.sealed === null ? null : Buffer.from(stored.sealed, 'base64');
  const opened = columns.open(SHIPPING_COLUMN, stored.subject, sealed, wrappedKey);
  const { name, street, city, postalCode } =
    opened === PERSONAL_DATA_ERASED
      ? (Object.fromEntries(
          PERSONAL_ADDRESS_FIELDS.map((field) => [field, PERSONAL_DATA_ERASED]),
        ) as PersonalAddress)
      : (opened as PersonalAddress);
  return { name, street, city, postalCode, country: stored.country };
}
