export { CartsModule } from './carts.module.js';
export type {
  CartCheckedOut,
  CartCheckedOutData,
  CartCreated,
  CartEvent,
  CartLine,
  ItemAdded,
  ItemRemoved,
  ShippingAddress,
  ShippingInfoEntered,
} from './domain/cart.events.js';
export { CART_EVENT_TYPES } from './domain/cart.events.js';
export { orderIdOf } from './order-ids.js';
