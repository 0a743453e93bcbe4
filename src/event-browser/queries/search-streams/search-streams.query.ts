export class SearchStreamsQuery {
  constructor(
    readonly filter: {
      readonly prefix?: string;
      readonly category?: string;
      readonly type?: string;
      readonly after?: string;
      readonly limit: number;
    },
  ) {}
}
