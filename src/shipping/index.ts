// ShippingModule is imported by app.module from shipping.module.js, not from here: the checkout saga (orders)
// imports this barrel and shipping imports orders', so the module here would close a cycle.
export type {
  ShipmentCreated,
  ShipmentDispatched,
  ShipmentEvent,
} from './domain/shipment.events.js';
export { SHIPMENT_EVENT_TYPES } from './domain/shipment.events.js';
export { SHIPPING_INTEGRATION_EVENTS } from './integration/shipping-integration-events.js';
