import { specFor } from '../../shared/testing/given-when-then.js';
import { customerDefinition, erasePersonalData } from './customer.js';
import type { CustomerEvent } from './customer.events.js';

const customerId = '6f1c0a52-8d3e-4c7b-9a51-2b7e4d9c0f11';
const given = specFor(customerDefinition);
const erased = (): CustomerEvent => ({ type: 'CustomerPersonalDataErased', data: { customerId } });

describe('Customer', () => {
  describe('erasePersonalData', () => {
    it('records the erasure of a customer never seen before', () =>
      given([])
        .when((s) => erasePersonalData(s, { customerId }))
        .then([erased()]));

    it('decides nothing the second time', () =>
      given([erased()])
        .when((s) => erasePersonalData(s, { customerId }))
        .then([]));
  });
});
