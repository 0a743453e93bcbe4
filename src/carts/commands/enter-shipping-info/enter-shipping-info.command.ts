import type { EventMetadata } from '../../../event-store/event-store.types.js';
import type { ShippingAddress } from '../../domain/cart.events.js';

export class EnterShippingInfoCommand {
  constructor(
    readonly cartId: string,
    readonly address: ShippingAddress,
    readonly expectedVersion: number | undefined,
    readonly metadata: EventMetadata,
  ) {}
}
