import type { EventMetadata } from '../../../event-store/event-store.types.js';

export class OpenAccountCommand {
  constructor(
    readonly accountId: string,
    readonly ownerName: string,
    readonly currency: string,
    readonly initialDeposit: number | undefined,
    readonly metadata: EventMetadata,
  ) {}
}
