import type { EventMetadata } from '../../../event-store/event-store.types.js';

export class CheckOutCommand {
  constructor(
    readonly cartId: string,
    readonly accountId: string,
    readonly expectedVersion: number | undefined,
    readonly metadata: EventMetadata,
  ) {}
}
