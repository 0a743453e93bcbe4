import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandAccepted } from '../../../shared/command-accepted.response.js';
import { CartRepository } from '../../cart.repository.js';
import { addItem } from '../../domain/cart.js';
import { AddItemCommand } from './add-item.command.js';

@CommandHandler(AddItemCommand)
export class AddItemHandler implements ICommandHandler<AddItemCommand, CommandAccepted> {
  constructor(private readonly carts: CartRepository) {}

  execute({
    change: { item, expectedVersion, metadata },
  }: AddItemCommand): Promise<CommandAccepted> {
    return this.carts.change(item, addItem, { expectedVersion, metadata });
  }
}
