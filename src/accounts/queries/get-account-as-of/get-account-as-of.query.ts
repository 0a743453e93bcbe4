/** The account as it was at an instant or at a stream version (exactly one of them). */
export class GetAccountAsOfQuery {
  constructor(
    readonly accountId: string,
    readonly point: { asOf: Date } | { atVersion: number },
    /** Only this customer's account: any other answers as a missing one, whatever the point. */
    readonly ownedBy?: string,
  ) {}
}
