/** The account's stream id, for a caller who reaches the account (`ownedBy`: a customer's own reach). */
export class GetAccountStreamQuery {
  constructor(
    readonly accountId: string,
    readonly ownedBy?: string,
  ) {}
}
