import type { EventMetadata } from '../../../event-store/event-store.types.js';

export class RemoveItemCommand {
  constructor(
    readonly cartId: string,
    readonly productId: string,
    readonly expectedVersion: number | undefined,
    readonly metadata: EventMetadata,
  ) {}
}
