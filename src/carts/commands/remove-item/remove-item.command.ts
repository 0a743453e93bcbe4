import type { RemoveItem } from '../../domain/cart.js';
import type { CartChange } from '../cart-change.js';

export class RemoveItemCommand {
  constructor(readonly change: CartChange & { readonly removal: RemoveItem }) {}
}
