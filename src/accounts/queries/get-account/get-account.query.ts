export class GetAccountQuery {
  constructor(readonly accountId: string) {}
}
