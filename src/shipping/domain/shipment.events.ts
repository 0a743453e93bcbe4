import type { EventTypeDefinition } from '../../event-store/index.js';

/** One shipment per paid order; its id is derived from the order's (`shipmentIdOf`). */
export type ShipmentCreated = {
  type: 'ShipmentCreated';
  data: { shipmentId: string; orderId: string };
};
/** The parcel left the warehouse: the checkout saga ships the order on it. */
export type ShipmentDispatched = {
  type: 'ShipmentDispatched';
  data: { shipmentId: string; orderId: string };
};

export type ShipmentEvent = ShipmentCreated | ShipmentDispatched;

export const SHIPMENT_EVENT_TYPES: ReadonlyArray<ShipmentEvent['type']> = [
  'ShipmentCreated',
  'ShipmentDispatched',
];

export const SHIPMENT_EVENT_DEFINITIONS: readonly EventTypeDefinition[] = SHIPMENT_EVENT_TYPES.map(
  (type) => ({ type, schemaVersion: 1 }),
);
