export class GetCartQuery {
  constructor(
    readonly cartId: string,
    /** Only a cart of this customer; any other answers cart-not-found. */
    readonly ownedBy?: string,
  ) {}
}
