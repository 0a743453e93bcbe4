export { CustomersModule } from './customers.module.js';
export type { CustomerEvent, CustomerPersonalDataErased } from './domain/customer.events.js';
export { CUSTOMER_EVENT_TYPES } from './domain/customer.events.js';
export { CUSTOMERS_INTEGRATION_EVENTS } from './integration/customers-integration-events.js';
