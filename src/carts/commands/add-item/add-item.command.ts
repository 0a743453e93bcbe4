import type { AddItem } from '../../domain/cart.js';
import type { CartChange } from '../cart-change.js';

export class AddItemCommand {
  constructor(readonly change: CartChange & { readonly item: AddItem }) {}
}
