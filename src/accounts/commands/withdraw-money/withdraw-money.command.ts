import type { EventMetadata } from '../../../event-store/event-store.types.js';

export class WithdrawMoneyCommand {
  constructor(
    readonly accountId: string,
    readonly amount: number,
    readonly description: string | undefined,
    readonly expectedVersion: number | undefined,
    readonly metadata: EventMetadata,
    /** Only from an account in this currency (the checkout saga paying an order); absent: any. */
    readonly currency?: string,
  ) {}
}
