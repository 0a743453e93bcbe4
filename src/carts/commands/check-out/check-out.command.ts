import type { CheckOut } from '../../domain/cart.js';
import type { CartChange } from '../cart-change.js';

export class CheckOutCommand {
  constructor(readonly change: CartChange & { readonly checkout: Omit<CheckOut, 'orderId'> }) {}
}
