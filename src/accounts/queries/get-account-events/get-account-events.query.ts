export class GetAccountEventsQuery {
  constructor(
    readonly accountId: string,
    readonly fromVersion: number,
    readonly limit: number,
  ) {}
}
