export class GetOrderQuery {
  constructor(
    readonly orderId: string,
    /** Only an order of this customer; any other answers order-not-found. */
    readonly ownedBy?: string,
  ) {}
}
