import type { AggregateDefinition } from '../../event-store/aggregate.js';
import type { CustomerEvent, CustomerPersonalDataErased } from './customer.events.js';

/**
 * A customer is whoever a cart names: no context registers them, so the stream holds only what is decided about
 * the person as such.
 */
export type CustomerState = { personalDataErased: boolean };

export type EraseCustomerPersonalData = { customerId: string };

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

/** Any customer id may be erased, seen before or not: its tombstone keeps personal data of it from being stored. */
export function erasePersonalData(
  state: CustomerState,
  { customerId }: EraseCustomerPersonalData,
): CustomerPersonalDataErased[] {
  if (state.personalDataErased) return [];
  return [{ type: 'CustomerPersonalDataErased', data: { customerId } }];
}

export const customerDefinition: AggregateDefinition<CustomerState, CustomerEvent> = {
  streamType: 'customer',
  initialState,
  evolve,
};
