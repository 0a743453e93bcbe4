import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandAccepted } from '../../../http/command-accepted.response.js';
import { CartRepository } from '../../cart.repository.js';
import { addItem } from '../../domain/cart.js';
import { AddItemCommand } from './add-item.command.js';

@CommandHandler(AddItemCommand)
export class AddItemHandler implements ICommandHandler<AddItemCommand, CommandAccepted> {
  constructor(private readonly carts: CartRepository) {}

  async execute(command: AddItemCommand): Promise<CommandAccepted> {
    const { version, position } = await this.carts.update(
      command.cartId,
      (state) => addItem(state, command),
      { expectedVersion: command.expectedVersion, metadata: command.metadata },
    );
    return { id: command.cartId, version, position };
  }
}
