import type { EventTypeDefinition } from '../../event-store/index.js';

/**
 * The customer's personal-data key was destroyed: what any context stored of them under it reads as
 * PERSONAL_DATA_ERASED from now on, and read models holding copies in clear mask them when they see this event.
 */
export type CustomerPersonalDataErased = {
  type: 'CustomerPersonalDataErased';
  data: { customerId: string };
};

export type CustomerEvent = CustomerPersonalDataErased;

export const CUSTOMER_EVENT_TYPES: ReadonlyArray<CustomerEvent['type']> = [
  'CustomerPersonalDataErased',
];

export const CUSTOMER_EVENT_DEFINITIONS: readonly EventTypeDefinition[] = [
  { type: 'CustomerPersonalDataErased', schemaVersion: 1 },
];
