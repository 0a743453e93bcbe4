import type { EventMetadata } from '../../../event-store/event-store.types.js';

export class AddItemCommand {
  constructor(
    readonly cartId: string,
    readonly productId: string,
    readonly quantity: number,
    readonly unitPrice: number,
    readonly currency: string,
    readonly expectedVersion: number | undefined,
    readonly metadata: EventMetadata,
  ) {}
}
