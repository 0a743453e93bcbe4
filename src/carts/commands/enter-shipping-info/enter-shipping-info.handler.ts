import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandAccepted } from '../../../http/command-accepted.response.js';
import { CartRepository } from '../../cart.repository.js';
import { enterShippingInfo } from '../../domain/cart.js';
import { EnterShippingInfoCommand } from './enter-shipping-info.command.js';

@CommandHandler(EnterShippingInfoCommand)
export class EnterShippingInfoHandler implements ICommandHandler<
  EnterShippingInfoCommand,
  CommandAccepted
> {
  constructor(private readonly carts: CartRepository) {}

  async execute({
    cartId,
    address,
    expectedVersion,
    metadata,
  }: EnterShippingInfoCommand): Promise<CommandAccepted> {
    const { version, position } = await this.carts.update(
      cartId,
      (state) => enterShippingInfo(state, { cartId, ...address }),
      { expectedVersion, metadata },
    );
    return { id: cartId, version, position };
  }
}
