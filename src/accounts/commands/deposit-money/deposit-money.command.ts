import type { EventMetadata } from '../../../event-store/event-store.types.js';
import type { Deposit } from '../../domain/account.js';

export class DepositMoneyCommand {
  constructor(
    readonly deposit: Deposit,
    readonly expectedVersion: number | undefined,
    readonly metadata: EventMetadata,
  ) {}
}
