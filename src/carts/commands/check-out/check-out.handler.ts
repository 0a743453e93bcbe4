import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CartRepository } from '../../cart.repository.js';
import { checkOut, requireVisible } from '../../domain/cart.js';
import { orderIdOf } from '../../order-ids.js';
import { CheckOutCommand } from './check-out.command.js';
import type { CheckoutAccepted } from './checkout-accepted.response.js';

@CommandHandler(CheckOutCommand)
export class CheckOutHandler implements ICommandHandler<CheckOutCommand, CheckoutAccepted> {
  constructor(private readonly carts: CartRepository) {}

  async execute({
    checkout,
    expectedVersion,
    metadata,
  }: CheckOutCommand): Promise<CheckoutAccepted> {
    const { cartId } = checkout;
    const orderId = orderIdOf(cartId);
    const { version, position } = await this.carts.update(
      cartId,
      (state) => checkOut(state, { ...checkout, orderId }),
      { expectedVersion, metadata, admit: (state) => requireVisible(state, checkout) },
    );
    return { id: cartId, orderId, version, position };
  }
}
