import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandAccepted } from '../../../shared/command-accepted.response.js';
import { CartRepository } from '../../cart.repository.js';
import { enterShippingInfo, requireVisible } from '../../domain/cart.js';
import { EnterShippingInfoCommand } from './enter-shipping-info.command.js';

@CommandHandler(EnterShippingInfoCommand)
export class EnterShippingInfoHandler implements ICommandHandler<
  EnterShippingInfoCommand,
  CommandAccepted
> {
  constructor(private readonly carts: CartRepository) {}

  async execute({
    shipping,
    expectedVersion,
    metadata,
  }: EnterShippingInfoCommand): Promise<CommandAccepted> {
    const { version, position } = await this.carts.update(
      shipping.cartId,
      (state) => enterShippingInfo(state, shipping),
      { expectedVersion, metadata, admit: (state) => requireVisible(state, shipping) },
    );
    return { id: shipping.cartId, version, position };
  }
}
