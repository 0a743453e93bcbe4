import { specFor } from '../../shared/testing/given-when-then.js';
import { customerDefinition, erasePersonalData } from './customer.js';
import { CustomerNotFound } from './customer.errors.js';
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

    it('lets a customer erase their own, whatever the case of the id', () =>
      given([])
        .when((s) => erasePersonalData(s, { customerId, ownedBy: customerId.toUpperCase() }))
        .then([erased()]));

    it("answers a customer asking for someone else's as if that customer did not exist", () =>
      given([])
        .when((s) =>
          erasePersonalData(s, { customerId, ownedBy: '3d5e7f90-1a2b-4c3d-8e4f-5a6b7c8d9e0f' }),
        )
        .thenThrows(CustomerNotFound, new RegExp(`Customer ${customerId} does not exist`)));

    it('says the same once that customer was erased: their erasure does not leak', () =>
      given([erased()])
        .when((s) =>
          erasePersonalData(s, { customerId, ownedBy: '3d5e7f90-1a2b-4c3d-8e4f-5a6b7c8d9e0f' }),
        )
        .thenThrows(CustomerNotFound));
  });
});
