import { contractSpecFor } from '../../integration/testing/contract-spec.js';
import { CUSTOMER_EVENT_TYPES } from '../domain/customer.events.js';
import { CUSTOMERS_INTEGRATION_EVENTS } from './customers-integration-events.js';

const customerId = '0c3f2a1e-5b7d-4e69-8a10-7d2c4b6e9f01';
const { publish, types } = contractSpecFor(CUSTOMERS_INTEGRATION_EVENTS);

describe('customers.v1: the erasure of a customer leaves as customers.v1.PersonalDataErased', () => {
  it('maps the customer event to the customer id alone', () => {
    expect(types).toEqual([...CUSTOMER_EVENT_TYPES]);
    expect(publish({ type: 'CustomerPersonalDataErased', data: { customerId } })).toEqual({
      customerId,
    });
  });
});
