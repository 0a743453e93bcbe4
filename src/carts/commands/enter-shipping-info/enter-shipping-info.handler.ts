import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandAccepted } from '../../../shared/command-accepted.response.js';
import { CartRepository } from '../../cart.repository.js';
import { enterShippingInfo } from '../../domain/cart.js';
import { EnterShippingInfoCommand } from './enter-shipping-info.command.js';

@CommandHandler(EnterShippingInfoCommand)
export class EnterShippingInfoHandler implements ICommandHandler<
  EnterShippingInfoCommand,
  CommandAccepted
> {
  constructor(private readonly carts: CartRepository) {}

  execute({
    change: { shipping, expectedVersion, metadata },
  }: EnterShippingInfoCommand): Promise<CommandAccepted> {
    return this.carts.change(shipping, enterShippingInfo, { expectedVersion, metadata });
  }
}
