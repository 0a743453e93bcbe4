import {
  closedObject,
  field,
  type IntegrationContract,
  integrationEvent,
} from '../../integration/index.js';
import type { ShipmentCreated, ShipmentDispatched } from '../domain/shipment.events.js';

const shipment = {
  shipmentId: field.uuid('The shipment'),
  orderId: field.uuid('The order it ships'),
};

/** shipping.v1: one shipment per paid order, by ids. */
export const SHIPPING_INTEGRATION_EVENTS: IntegrationContract = {
  context: 'shipping',
  version: 1,
  events: [
    integrationEvent<ShipmentCreated>({
      type: 'ShipmentCreated',
      name: 'ShipmentCreated',
      summary: 'A paid order got its shipment, to be dispatched',
      payload: closedObject(shipment),
      map: ({ shipmentId, orderId }) => ({ shipmentId, orderId }),
    }),
    integrationEvent<ShipmentDispatched>({
      type: 'ShipmentDispatched',
      name: 'ShipmentDispatched',
      summary: 'The parcel left the warehouse',
      payload: closedObject(shipment),
      map: ({ shipmentId, orderId }) => ({ shipmentId, orderId }),
    }),
  ],
};
