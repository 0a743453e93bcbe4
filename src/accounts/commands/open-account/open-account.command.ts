import type { EventMetadata } from '../../../event-store/event-store.types.js';
import type { OpenAccount } from '../../domain/account.js';

export class OpenAccountCommand {
  constructor(
    /** `ownerId`: the customer opening it. */
    readonly account: OpenAccount,
    readonly metadata: EventMetadata,
  ) {}
}
