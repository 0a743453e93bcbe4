export class GetStreamEventsQuery {
  constructor(
    readonly page: {
      readonly streamId: string;
      readonly fromVersion: number;
      readonly limit: number;
    },
  ) {}
}
