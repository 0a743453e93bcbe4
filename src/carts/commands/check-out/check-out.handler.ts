import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CartRepository } from '../../cart.repository.js';
import { checkOut, orderIdOf } from '../../domain/cart.js';
import { CheckOutCommand } from './check-out.command.js';
import type { CheckoutAccepted } from './checkout-accepted.response.js';

@CommandHandler(CheckOutCommand)
export class CheckOutHandler implements ICommandHandler<CheckOutCommand, CheckoutAccepted> {
  constructor(private readonly carts: CartRepository) {}

  async execute(command: CheckOutCommand): Promise<CheckoutAccepted> {
    const { version, position } = await this.carts.update(
      command.cartId,
      (state) => checkOut(state, command),
      { expectedVersion: command.expectedVersion, metadata: command.metadata },
    );
    return { id: command.cartId, orderId: orderIdOf(command.cartId), version, position };
  }
}
