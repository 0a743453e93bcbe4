import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandAccepted } from '../../../http/command-accepted.response.js';
import { CartRepository } from '../../cart.repository.js';
import { removeItem } from '../../domain/cart.js';
import { RemoveItemCommand } from './remove-item.command.js';

@CommandHandler(RemoveItemCommand)
export class RemoveItemHandler implements ICommandHandler<RemoveItemCommand, CommandAccepted> {
  constructor(private readonly carts: CartRepository) {}

  async execute(command: RemoveItemCommand): Promise<CommandAccepted> {
    const { version, position } = await this.carts.update(
      command.cartId,
      (state) => removeItem(state, command),
      { expectedVersion: command.expectedVersion, metadata: command.metadata },
    );
    return { id: command.cartId, version, position };
  }
}
