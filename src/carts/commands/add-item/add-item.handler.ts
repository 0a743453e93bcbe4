import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandAccepted } from '../../../shared/command-accepted.response.js';
import { CartRepository } from '../../cart.repository.js';
import { addItem, requireVisible } from '../../domain/cart.js';
import { AddItemCommand } from './add-item.command.js';

@CommandHandler(AddItemCommand)
export class AddItemHandler implements ICommandHandler<AddItemCommand, CommandAccepted> {
  constructor(private readonly carts: CartRepository) {}

  async execute({ item, expectedVersion, metadata }: AddItemCommand): Promise<CommandAccepted> {
    const { version, position } = await this.carts.update(
      item.cartId,
      (state) => addItem(state, item),
      { expectedVersion, metadata, admit: (state) => requireVisible(state, item) },
    );
    return { id: item.cartId, version, position };
  }
}
