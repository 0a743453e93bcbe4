import type { EventMetadata } from '../../../event-store/index.js';
import type { CommandOutcome } from '../../../shared/command-outcome.js';
import type { WithdrawalRejected } from '../../domain/account.events.js';
import type { Withdraw } from '../../domain/account.js';

export class WithdrawMoneyCommand {
  /** `currency`: the checkout saga paying an order in it; `ownedBy`: the order's customer, for the saga too. */
  readonly withdrawal: Withdraw;
  readonly expectedVersion?: number;
  readonly metadata: EventMetadata;

  constructor({ withdrawal, expectedVersion, metadata }: WithdrawMoneyCommand) {
    this.withdrawal = withdrawal;
    this.expectedVersion = expectedVersion;
    this.metadata = metadata;
  }
}

/** `rejected`: WithdrawalRejected is recorded (insufficient funds, or another currency than the account's). */
export type WithdrawalOutcome = CommandOutcome<WithdrawalRejected>;
