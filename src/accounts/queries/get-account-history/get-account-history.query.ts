export class GetAccountHistoryQuery {
  constructor(
    readonly page: {
      readonly accountId: string;
      readonly fromVersion: number;
      readonly limit: number;
      /** Only this customer's account: any other answers as a missing one. */
      readonly ownedBy?: string;
    },
  ) {}
}
