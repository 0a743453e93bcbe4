import type { EventMetadata } from '../../../event-store/event-store.types.js';
import type { Withdraw } from '../../domain/account.js';

export class WithdrawMoneyCommand {
  constructor(
    /** `currency`: the checkout saga paying an order in it; `ownedBy`: the order's customer, for the saga too. */
    readonly withdrawal: Withdraw,
    readonly expectedVersion: number | undefined,
    readonly metadata: EventMetadata,
  ) {}
}
