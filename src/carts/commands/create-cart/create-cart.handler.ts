import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandAccepted } from '../../../shared/command-accepted.response.js';
import { CartRepository } from '../../cart.repository.js';
import { create } from '../../domain/cart.js';
import { CreateCartCommand } from './create-cart.command.js';

@CommandHandler(CreateCartCommand)
export class CreateCartHandler implements ICommandHandler<CreateCartCommand, CommandAccepted> {
  constructor(private readonly carts: CartRepository) {}

  async execute(command: CreateCartCommand): Promise<CommandAccepted> {
    const { version, position } = await this.carts.update(
      command.cartId,
      (state) => create(state, command),
      { metadata: command.metadata },
    );
    return { id: command.cartId, version, position };
  }
}
