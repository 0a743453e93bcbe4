export class GetCartRemovalsQuery {
  constructor(
    /** First UTC day, YYYY-MM-DD, included. */
    readonly from: string,
    /** Last UTC day, YYYY-MM-DD, included. */
    readonly to: string,
    readonly limit: number,
  ) {}
}
