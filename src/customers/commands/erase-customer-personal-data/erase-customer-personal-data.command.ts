import type { EventMetadata } from '../../../event-store/index.js';

export class EraseCustomerPersonalDataCommand {
  constructor(
    readonly customerId: string,
    /** Set when the caller may erase only their own personal data. */
    readonly ownedBy: string | undefined,
    readonly metadata: EventMetadata,
  ) {}
}
