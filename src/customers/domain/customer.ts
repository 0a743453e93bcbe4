import type { AggregateDefinition } from '../../event-store/index.js';
import { CustomerNotFound } from './customer.errors.js';
import type { CustomerEvent, CustomerPersonalDataErased } from './customer.events.js';

/**
 * A customer is whoever a cart names: no context registers them, so the stream holds only what is decided about
 * the person as such.
 */
export type CustomerState = { personalDataErased: boolean };

/** `ownedBy` set: the caller may erase only that customer (themselves); any other id is not found for them. */
export type EraseCustomerPersonalData = { customerId: string; ownedBy?: string };

export const initialState = (): CustomerState => ({ personalDataErased: false });

export function evolve(state: CustomerState, event: CustomerEvent): CustomerState {
  switch (event.type) {
    case 'CustomerPersonalDataErased':
      return { ...state, personalDataErased: true };
    default: {
      const unhandled: never = event.type;
      return unhandled;
    }
  }
}

/**
 * Any customer id may be erased, seen before or not: its tombstone keeps personal data of it from being stored.
 * A customer erasing someone else is told that customer does not exist, whether or not anyone is: an erasure of an
 * unknown id succeeds for staff, so an answer other than 404 would either lie or erase.
 */
export function erasePersonalData(
  state: CustomerState,
  { customerId, ownedBy }: EraseCustomerPersonalData,
): CustomerPersonalDataErased[] {
  if (ownedBy !== undefined && ownedBy.toLowerCase() !== customerId.toLowerCase())
    throw new CustomerNotFound(customerId);
  if (state.personalDataErased) return [];
  return [{ type: 'CustomerPersonalDataErased', data: { customerId } }];
}

export const customerDefinition: AggregateDefinition<CustomerState, CustomerEvent> = {
  streamType: 'customer',
  initialState,
  evolve,
};
