import { contractSpecFor } from '../../integration/testing/contract-spec.js';
import { SHIPMENT_EVENT_TYPES } from '../domain/shipment.events.js';
import { SHIPPING_INTEGRATION_EVENTS } from './shipping-integration-events.js';

const shipmentId = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b';
const orderId = '5d1c8e2f-3a4b-4c6d-8e9f-0a1b2c3d4e5f';
const { publish, types } = contractSpecFor(SHIPPING_INTEGRATION_EVENTS);

describe('shipping.v1: what leaves for each shipment event', () => {
  it('maps every shipment event type to the shipment and its order', () => {
    expect(types).toEqual([...SHIPMENT_EVENT_TYPES]);
    for (const type of SHIPMENT_EVENT_TYPES)
      expect(publish({ type, data: { shipmentId, orderId } })).toEqual({ shipmentId, orderId });
  });
});
