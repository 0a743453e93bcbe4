import type { EventMetadata } from '../../../event-store/event-store.types.js';

export class CreateCartCommand {
  constructor(
    readonly cartId: string,
    readonly customerId: string,
    readonly metadata: EventMetadata,
  ) {}
}
