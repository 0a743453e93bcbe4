import type { EventMetadata } from '../../../event-store/index.js';
import type { RemoveItem } from '../../domain/cart.js';

export class RemoveItemCommand {
  constructor(
    readonly removal: RemoveItem,
    readonly expectedVersion: number | undefined,
    readonly metadata: EventMetadata,
  ) {}
}
