import type { EventMetadata } from '../../../event-store/event-store.types.js';

export class EraseCustomerPersonalDataCommand {
  constructor(
    readonly customerId: string,
    readonly metadata: EventMetadata,
  ) {}
}
