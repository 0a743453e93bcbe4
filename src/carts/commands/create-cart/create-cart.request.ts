/** Nothing to send: the cart is the caller's, the customer their token names. Unknown fields are refused. */
export class CreateCartRequest {}
