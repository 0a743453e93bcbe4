import type { EventMetadata } from '../../../event-store/event-store.types.js';
import type { DepositSource } from '../../domain/account.events.js';

export class DepositMoneyCommand {
  constructor(
    readonly accountId: string,
    readonly amount: number,
    readonly description: string | undefined,
    readonly expectedVersion: number | undefined,
    readonly metadata: EventMetadata,
    /** `unknown` when omitted. */
    readonly source?: DepositSource,
  ) {}
}
