import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandAccepted } from '../../../shared/command-accepted.response.js';
import { CartRepository } from '../../cart.repository.js';
import { removeItem } from '../../domain/cart.js';
import { RemoveItemCommand } from './remove-item.command.js';

@CommandHandler(RemoveItemCommand)
export class RemoveItemHandler implements ICommandHandler<RemoveItemCommand, CommandAccepted> {
  constructor(private readonly carts: CartRepository) {}

  execute({
    change: { removal, expectedVersion, metadata },
  }: RemoveItemCommand): Promise<CommandAccepted> {
    return this.carts.change(removal, removeItem, { expectedVersion, metadata });
  }
}
