export class GetAccountTransactionsQuery {
  constructor(
    readonly page: {
      readonly accountId: string;
      readonly limit: number;
      /** Cursor: the stream version of the last line already seen. */
      readonly after: number;
      /** Only this customer's account: any other answers as a missing one. */
      readonly ownedBy?: string;
    },
  ) {}
}
