export { OrdersModule } from './orders.module.js';
export type {
  CancellationReason,
  OrderCancelled,
  OrderEvent,
  OrderLine,
  OrderPlaced,
  OrderShipped,
  PaymentProcessed,
} from './domain/order.events.js';
export { ORDER_EVENT_TYPES } from './domain/order.events.js';
export { customersOfOrders } from './order-customers.js';
export { ORDERS_INTEGRATION_EVENTS } from './integration/orders-integration-events.js';
