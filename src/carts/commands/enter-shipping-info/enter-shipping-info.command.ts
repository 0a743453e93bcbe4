import type { EnterShippingInfo } from '../../domain/cart.js';
import type { CartChange } from '../cart-change.js';

export class EnterShippingInfoCommand {
  constructor(readonly change: CartChange & { readonly shipping: EnterShippingInfo }) {}
}
