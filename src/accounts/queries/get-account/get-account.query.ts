export class GetAccountQuery {
  constructor(
    readonly accountId: string,
    /** Only this customer's account: any other answers as a missing one. */
    readonly ownedBy?: string,
  ) {}
}
