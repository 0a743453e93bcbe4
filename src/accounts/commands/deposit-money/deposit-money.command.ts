import type { EventMetadata } from '../../../event-store/index.js';
import type { Deposit } from '../../domain/account.js';

export class DepositMoneyCommand {
  readonly deposit: Deposit;
  readonly expectedVersion?: number;
  readonly metadata: EventMetadata;

  constructor({ deposit, expectedVersion, metadata }: DepositMoneyCommand) {
    this.deposit = deposit;
    this.expectedVersion = expectedVersion;
    this.metadata = metadata;
  }
}
