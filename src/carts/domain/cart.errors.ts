import { domainError } from '../../shared/domain-error.js';

export class CartNotFound extends domainError('not-found', 'cart-not-found') {
  constructor(readonly cartId: string) {
    super(`Cart ${cartId} does not exist`);
  }
}

export class CartAlreadyCreated extends domainError('conflict', 'cart-already-created') {
  constructor(readonly cartId: string) {
    super(`Cart ${cartId} already exists`);
  }
}

export class CartAlreadyCheckedOut extends domainError('conflict', 'cart-checked-out') {
  constructor(
    readonly cartId: string,
    readonly orderId: string,
  ) {
    super(`Cart ${cartId} was checked out as order ${orderId} and can no longer change`, {
      orderId,
    });
  }
}

export class CartItemNotFound extends domainError('not-found', 'cart-item-not-found') {
  constructor(
    readonly cartId: string,
    readonly productId: string,
  ) {
    super(`Cart ${cartId} holds no product ${productId}`, { productId });
  }
}

/** A value the HTTP layer should already have refused; `field` names it. */
export class InvalidCartInput extends domainError('invalid', 'invalid-cart-input') {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message, { field });
  }
}

export class CurrencyMismatch extends domainError('rejected', 'cart-currency-mismatch') {
  constructor(
    readonly cartCurrency: string,
    readonly currency: string,
  ) {
    super(`This cart is priced in ${cartCurrency}; an item in ${currency} cannot be added to it`, {
      cartCurrency,
      currency,
    });
  }
}

export class UnitPriceMismatch extends domainError('rejected', 'unit-price-mismatch') {
  constructor(
    readonly productId: string,
    readonly cartUnitPrice: number,
    readonly unitPrice: number,
  ) {
    super(
      `Product ${productId} is in the cart at ${cartUnitPrice} a unit, not ${unitPrice}: remove it to add it at another price`,
      {
        productId,
        cartUnitPrice,
        unitPrice,
      },
    );
  }
}

export class QuantityLimitExceeded extends domainError('rejected', 'quantity-limit-exceeded') {
  constructor(
    readonly productId: string,
    readonly inCart: number,
    readonly adding: number,
    readonly max: number,
  ) {
    super(
      `The cart holds ${inCart} of product ${productId}; adding ${adding} would exceed the ${max} allowed`,
      { productId, inCart, adding, max },
    );
  }
}

export class CartTotalLimitExceeded extends domainError('rejected', 'cart-total-limit-exceeded') {
  constructor(
    readonly total: number,
    readonly max: number,
  ) {
    super(`A cart total of ${total} minor units is above the limit of ${max}`, { total, max });
  }
}

export class CartEmpty extends domainError('rejected', 'cart-empty') {
  constructor(readonly cartId: string) {
    super(`Cart ${cartId} is empty: add an item before checking out`);
  }
}

export class ShippingInfoMissing extends domainError('rejected', 'shipping-info-missing') {
  constructor(readonly cartId: string) {
    super(`Cart ${cartId} has no shipping address: enter one before checking out`);
  }
}

/** The customer's personal data was erased: the cart's address is gone, and no new one can be stored. */
export class ShippingAddressErased extends domainError('conflict', 'personal-data-erased') {
  constructor(
    readonly cartId: string,
    readonly customerId: string,
  ) {
    super(
      `The personal data of customer ${customerId} was erased: cart ${cartId} has no shipping address any more ` +
        'and can no longer be checked out',
      { customerId },
    );
  }
}
