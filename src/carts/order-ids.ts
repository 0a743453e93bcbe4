import { deterministicUuid } from '../event-store/index.js';

/** The order a cart becomes: derived from the cart, so a retried checkout can never place a second one. */
export const orderIdOf = (cartId: string): string => deterministicUuid('order', cartId);
