import type { EventMetadata } from '../../../event-store/index.js';
import type { CheckOut } from '../../domain/cart.js';

export class CheckOutCommand {
  constructor(
    readonly checkout: Omit<CheckOut, 'orderId'>,
    readonly expectedVersion: number | undefined,
    readonly metadata: EventMetadata,
  ) {}
}
