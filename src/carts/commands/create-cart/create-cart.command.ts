import type { EventMetadata } from '../../../event-store/index.js';

export class CreateCartCommand {
  constructor(
    readonly cartId: string,
    readonly customerId: string,
    readonly metadata: EventMetadata,
  ) {}
}
