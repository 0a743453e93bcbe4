import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CUSTOMER_EVENT_TYPES, type CustomerEvent } from '../../customers/index.js';
import { type PersistedEvent, PostgresEventStore } from '../../event-store/index.js';
import {
  type EntityProjection,
  Projection,
  type ReadModel,
  writeEntities,
} from '../../projections/index.js';
import { CART_EVENT_TYPES, type CartEvent } from '../domain/cart.events.js';
import { cartViews, type CartRow } from './cart-view.projection.js';

const CART_TYPES: ReadonlySet<string> = new Set(CART_EVENT_TYPES);
const ERASED: CustomerEvent['type'] = 'CustomerPersonalDataErased';

/**
 * The entity projection `cartViews`, then a customer's erasure: it drops the ciphertext of all their carts in one
 * statement, after the upsert (docs/architecture.md#personal-data-in-read-models).
 */
// A class, not a declaration: an erasure updates every cart of the customer, rows no event's `rowId` names.
@Projection('carts')
@Injectable()
export class CartsProjection implements ReadModel {
  readonly eventTypes = [...CART_EVENT_TYPES, ...CUSTOMER_EVENT_TYPES];
  readonly tables = ['carts'];
  private readonly carts: EntityProjection<CartRow, CartEvent>;

  constructor(store: PostgresEventStore) {
    this.carts = cartViews(store.personalData.columns);
  }

  async apply(events: readonly PersistedEvent[], tx: EntityManager): Promise<void> {
    await writeEntities(
      this.carts,
      events.filter((e) => CART_TYPES.has(e.type)),
      tx,
    );
    const erasedCustomers = events
      .filter((e) => e.type === ERASED)
      .map((e) => (e.data as CustomerEvent['data']).customerId);
    if (erasedCustomers.length > 0) await eraseAddresses(erasedCustomers, tx);
  }
}

/** The sealed part of every address of these customers dropped; the country stays. */
function eraseAddresses(customerIds: readonly string[], tx: EntityManager): Promise<unknown> {
  return tx.query(
    `UPDATE carts SET shipping = jsonb_set(shipping, '{sealed}', 'null')
     WHERE customer_id = ANY($1::uuid[]) AND shipping IS NOT NULL`,
    [customerIds],
  );
}
