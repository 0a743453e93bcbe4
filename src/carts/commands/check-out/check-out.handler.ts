import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CartRepository } from '../../cart.repository.js';
import { checkOut } from '../../domain/cart.js';
import { orderIdOf } from '../../order-ids.js';
import { CheckOutCommand } from './check-out.command.js';
import type { CheckoutAccepted } from './checkout-accepted.response.js';

@CommandHandler(CheckOutCommand)
export class CheckOutHandler implements ICommandHandler<CheckOutCommand, CheckoutAccepted> {
  constructor(private readonly carts: CartRepository) {}

  async execute({
    change: { checkout, expectedVersion, metadata },
  }: CheckOutCommand): Promise<CheckoutAccepted> {
    const orderId = orderIdOf(checkout.cartId);
    const { id, version, position } = await this.carts.change({ ...checkout, orderId }, checkOut, {
      expectedVersion,
      metadata,
    });
    return { id, orderId, version, position };
  }
}
