import type { EventMetadata } from '../../../event-store/index.js';
import type { EnterShippingInfo } from '../../domain/cart.js';

export class EnterShippingInfoCommand {
  constructor(
    readonly shipping: EnterShippingInfo,
    readonly expectedVersion: number | undefined,
    readonly metadata: EventMetadata,
  ) {}
}
