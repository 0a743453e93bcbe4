import type { EventMetadata } from '../../../event-store/index.js';
import type { OpenAccount } from '../../domain/account.js';

export class OpenAccountCommand {
  constructor(
    /** `ownerId`: the customer opening it. */
    readonly account: OpenAccount,
    readonly metadata: EventMetadata,
  ) {}
}
