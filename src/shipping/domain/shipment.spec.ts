import { specFor } from '../../shared/testing/given-when-then.js';
import { shipmentIdOf } from '../shipment-ids.js';
import { create, dispatch, shipmentDefinition } from './shipment.js';
import type { ShipmentEvent } from './shipment.events.js';
import { ShipmentAlreadyDispatched, ShipmentNotFound } from './shipment.errors.js';

const orderId = '5d2c8a4e-7f1b-8c3d-9e0a-1b2c3d4e5f60';
const shipmentId = shipmentIdOf(orderId);
const given = specFor(shipmentDefinition);
const created = (): ShipmentEvent => ({ type: 'ShipmentCreated', data: { shipmentId, orderId } });
const dispatched = (): ShipmentEvent => ({
  type: 'ShipmentDispatched',
  data: { shipmentId, orderId },
});

describe('shipment', () => {
  it('has one id per order', () => {
    expect(shipmentIdOf(orderId)).toBe(shipmentId);
    expect(shipmentIdOf(shipmentId)).not.toBe(shipmentId);
  });

  it('is created once', () => {
    given([])
      .when((s) => create(s, { shipmentId, orderId }))
      .then([created()]);
    given([created()])
      .when((s) => create(s, { shipmentId, orderId }))
      .then([]);
  });

  it('is dispatched once, after it was created', () => {
    given([created()])
      .when((s) => dispatch(s, { shipmentId }))
      .then([dispatched()]);
    given([created(), dispatched()])
      .when((s) => dispatch(s, { shipmentId }))
      .thenThrows(ShipmentAlreadyDispatched);
    given([])
      .when((s) => dispatch(s, { shipmentId }))
      .thenThrows(ShipmentNotFound);
  });
});
