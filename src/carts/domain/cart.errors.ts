import { DomainError } from '../../shared/domain-error.js';

export class CartNotFound extends DomainError {
  readonly kind = 'not-found';
  readonly code = 'cart-not-found';
  constructor(readonly cartId: string) {
    super(`Cart ${cartId} does not exist`);
  }
}

export class CartAlreadyCreated extends DomainError {
  readonly kind = 'conflict';
  readonly code = 'cart-already-created';
  constructor(readonly cartId: string) {
    super(`Cart ${cartId} already exists`);
  }
}

export class CartAlreadyCheckedOut extends DomainError {
  readonly kind = 'conflict';
  readonly code = 'cart-checked-out';
  constructor(
    readonly cartId: string,
    readonly orderId: string,
  ) {
    super(`Cart ${cartId} was checked out as order ${orderId} and can no longer change`);
  }
  override details() {
    return { orderId: this.orderId };
  }
}

export class CartItemNotFound extends DomainError {
  readonly kind = 'not-found';
  readonly code = 'cart-item-not-found';
  constructor(
    readonly cartId: string,
    readonly productId: string,
  ) {
    super(`Cart ${cartId} holds no product ${productId}`);
  }
  override details() {
    return { productId: this.productId };
  }
}

/** A value the HTTP layer should already have refused; `field` names it. */
export class InvalidCartInput extends DomainError {
  readonly kind = 'invalid';
  readonly code = 'invalid-cart-input';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
  override details() {
    return { field: this.field };
  }
}

export class CurrencyMismatch extends DomainError {
  readonly kind = 'rejected';
  readonly code = 'cart-currency-mismatch';
  constructor(
    readonly cartCurrency: string,
    readonly currency: string,
  ) {
    super(`This cart is priced in ${cartCurrency}; an item in ${currency} cannot be added to it`);
  }
  override details() {
    return { cartCurrency: this.cartCurrency, currency: this.currency };
  }
}

export class UnitPriceMismatch extends DomainError {
  readonly kind = 'rejected';
  readonly code = 'unit-price-mismatch';
  constructor(
    readonly productId: string,
    readonly cartUnitPrice: number,
    readonly unitPrice: number,
  ) {
    super(
      `Product ${productId} is in the cart at ${cartUnitPrice} a unit, not ${unitPrice}: remove it to add it at another price`,
    );
  }
  override details() {
    return {
      productId: this.productId,
      cartUnitPrice: this.cartUnitPrice,
      unitPrice: this.unitPrice,
    };
  }
}

export class QuantityLimitExceeded extends DomainError {
  readonly kind = 'rejected';
  readonly code = 'quantity-limit-exceeded';
  constructor(
    readonly productId: string,
    readonly inCart: number,
    readonly adding: number,
    readonly max: number,
  ) {
    super(
      `The cart holds ${inCart} of product ${productId}; adding ${adding} would exceed the ${max} allowed`,
    );
  }
  override details() {
    return { productId: this.productId, inCart: this.inCart, adding: this.adding, max: this.max };
  }
}

export class CartTotalLimitExceeded extends DomainError {
  readonly kind = 'rejected';
  readonly code = 'cart-total-limit-exceeded';
  constructor(
    readonly total: number,
    readonly max: number,
  ) {
    super(`A cart total of ${total} minor units is above the limit of ${max}`);
  }
  override details() {
    return { total: this.total, max: this.max };
  }
}

export class CartEmpty extends DomainError {
  readonly kind = 'rejected';
  readonly code = 'cart-empty';
  constructor(readonly cartId: string) {
    super(`Cart ${cartId} is empty: add an item before checking out`);
  }
}

export class ShippingInfoMissing extends DomainError {
  readonly kind = 'rejected';
  readonly code = 'shipping-info-missing';
  constructor(readonly cartId: string) {
    super(`Cart ${cartId} has no shipping address: enter one before checking out`);
  }
}

/** The customer's personal data was erased: the cart's address is gone, and no new one can be stored. */
export class ShippingAddressErased extends DomainError {
  readonly kind = 'conflict';
  readonly code = 'personal-data-erased';
  constructor(
    readonly cartId: string,
    readonly customerId: string,
  ) {
    super(
      `The personal data of customer ${customerId} was erased: cart ${cartId} has no shipping address any more ` +
        'and can no longer be checked out',
    );
  }
  override details() {
    return { customerId: this.customerId };
  }
}
