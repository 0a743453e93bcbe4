import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandAccepted } from '../../../shared/command-accepted.response.js';
import { CartRepository } from '../../cart.repository.js';
import { removeItem, requireVisible } from '../../domain/cart.js';
import { RemoveItemCommand } from './remove-item.command.js';

@CommandHandler(RemoveItemCommand)
export class RemoveItemHandler implements ICommandHandler<RemoveItemCommand, CommandAccepted> {
  constructor(private readonly carts: CartRepository) {}

  async execute({
    removal,
    expectedVersion,
    metadata,
  }: RemoveItemCommand): Promise<CommandAccepted> {
    const { version, position } = await this.carts.update(
      removal.cartId,
      (state) => removeItem(state, removal),
      { expectedVersion, metadata, admit: (state) => requireVisible(state, removal) },
    );
    return { id: removal.cartId, version, position };
  }
}
