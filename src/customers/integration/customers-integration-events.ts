import {
  closedObject,
  field,
  type IntegrationContract,
  integrationEvent,
} from '../../integration/index.js';
import type { CustomerPersonalDataErased } from '../domain/customer.events.js';

/** customers.v1: the customer as a data subject. */
export const CUSTOMERS_INTEGRATION_EVENTS: IntegrationContract = {
  context: 'customers',
  version: 1,
  events: [
    integrationEvent<CustomerPersonalDataErased>({
      type: 'CustomerPersonalDataErased',
      name: 'PersonalDataErased',
      summary: "The customer's personal data was erased: erase what you keep about this customer",
      payload: closedObject({ customerId: field.uuid('The customer') }),
      map: ({ customerId }) => ({ customerId }),
    }),
  ],
};
