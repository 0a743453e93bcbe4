/** The account as it was at an instant or at a stream version (exactly one of them). */
export class GetAccountAsOfQuery {
  constructor(
    readonly accountId: string,
    readonly point: { asOf: Date } | { atVersion: number },
  ) {}
}
