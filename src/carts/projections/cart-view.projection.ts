import type { PoolClient } from 'pg';
import type { EntityManager } from 'typeorm';
import type { PersonalDataColumns } from '../../event-store/index.js';
import type { EntityProjection, ProjectedEvent } from '../../projections/index.js';
import { totalOf } from '../domain/cart.js';
import type { CartEvent, CartLine } from '../domain/cart.events.js';
import { CartView } from './cart-view.entity.js';
import { SHIPPING_COLUMN, type PersonalAddress } from './sealed-shipping.js';

/** A cart row; `enteredAddress` holds an address entered in this batch, in clear until it is sealed. */
export type CartRow = CartView & { enteredAddress?: PersonalAddress };

/** `version` skips any event the row already reflects, so a batch applied twice changes nothing. */
export function evolveCart(row: CartRow | null, event: ProjectedEvent<CartEvent>): CartRow | null {
  if (event.type === 'CartCreated') {
    if (row) return row;
    return {
      id: event.data.cartId,
      customerId: event.data.customerId,
      status: 'open',
      currency: null,
      items: [],
      total: 0,
      shipping: null,
      orderId: null,
      version: event.streamVersion,
      createdAt: event.recordedAt,
      updatedAt: event.recordedAt,
    };
  }
  // A cart stream starts with CartCreated: anything else first is a broken stream, dead-lettered to be seen.
  if (!row) throw new Error(`${event.type} for cart ${event.data.cartId}, never created`);
  if (event.streamVersion <= row.version) return row;
  const moved = { ...row, version: event.streamVersion, updatedAt: event.recordedAt };
  switch (event.type) {
    case 'ItemAdded': {
      const { productId, quantity, unitPrice, currency } = event.data;
      const items = row.items.some((item) => item.productId === productId)
        ? row.items.map((item) =>
            item.productId === productId ? { ...item, quantity: item.quantity + quantity } : item,
          )
        : [...row.items, { productId, quantity, unitPrice }];
      return { ...moved, items, total: totalOf(items), currency: row.currency ?? currency };
    }
    case 'ItemRemoved': {
      const { productId, quantity } = event.data;
      const items = row.items
        .map((item): CartLine =>
          item.productId === productId ? { ...item, quantity: item.quantity - quantity } : item,
        )
        .filter((item) => item.quantity > 0);
      return { ...moved, items, total: totalOf(items) };
    }
    case 'ShippingInfoEntered': {
      const { customerId, country, name, street, city, postalCode } = event.data;
      return {
        ...moved,
        shipping: { country, subject: customerId, sealed: null },
        enteredAddress: { name, street, city, postalCode },
      };
    }
    case 'CartCheckedOut':
      return { ...moved, status: 'checked-out', orderId: event.data.orderId };
    default: {
      const unhandled: never = event;
      throw new Error(`Unhandled event ${(unhandled as CartEvent).type}`);
    }
  }
}

/**
 * `carts`: one row per cart. Addresses are written sealed under the customer's key, one key lookup per batch, so
 * an erasure does not wait for this projection (docs/architecture.md#personal-data-in-read-models).
 */
export function cartViews(columns: PersonalDataColumns): EntityProjection<CartRow, CartEvent> {
  return {
    entity: CartView,
    rowId: (event) => event.data.cartId,
    evolve: evolveCart,
    insertOnly: ['customerId', 'createdAt'],
    overwriteWhen: 't.version < EXCLUDED.version',
    beforeWrite: (rows, tx) => sealAddresses(columns, rows, tx),
  };
}

/** One key lookup for the batch; a customer erased meanwhile gets no address stored, only its country. */
async function sealAddresses(
  columns: PersonalDataColumns,
  rows: readonly CartRow[],
  tx: EntityManager,
): Promise<void> {
  const entered = rows.filter((row) => row.enteredAddress !== undefined);
  if (entered.length === 0) return;
  const sealed = await columns.seal(
    SHIPPING_COLUMN,
    entered.map((row) => ({ subject: row.shipping!.subject, value: row.enteredAddress })),
    (await tx.queryRunner!.connect()) as PoolClient,
  );
  entered.forEach((row, i) => {
    row.shipping = { ...row.shipping!, sealed: sealed[i]?.toString('base64') ?? null };
    row.enteredAddress = undefined;
  });
}
