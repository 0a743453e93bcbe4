export class GetCorrelatedEventsQuery {
  constructor(
    readonly page: {
      readonly correlationId: string;
      readonly after: number;
      readonly limit: number;
    },
  ) {}
}
