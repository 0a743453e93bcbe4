import { DomainError } from '../../shared/domain-error.js';

export class OrderNotFound extends DomainError {
  readonly kind = 'not-found';
  readonly code = 'order-not-found';
  constructor(readonly orderId: string) {
    super(`Order ${orderId} does not exist`);
  }
}

export class InvalidOrder extends DomainError {
  readonly kind = 'invalid';
  readonly code = 'invalid-order';
  constructor(
    readonly orderId: string,
    readonly reason: string,
  ) {
    super(`Order ${orderId} cannot be placed: ${reason}`);
  }
}

export class OrderCancelledAlready extends DomainError {
  readonly kind = 'conflict';
  readonly code = 'order-cancelled';
  constructor(
    readonly orderId: string,
    readonly attempted: string,
  ) {
    super(`Order ${orderId} was cancelled: it cannot be ${attempted}`);
  }
}

export class OrderNotPaid extends DomainError {
  readonly kind = 'conflict';
  readonly code = 'order-not-paid';
  constructor(readonly orderId: string) {
    super(`Order ${orderId} is not paid: it cannot be shipped`);
  }
}

export class OrderAlreadyPaid extends DomainError {
  readonly kind = 'conflict';
  readonly code = 'order-already-paid';
  constructor(readonly orderId: string) {
    super(`Order ${orderId} is paid: it can no longer be cancelled`);
  }
}

export class OrderShippedElsewhere extends DomainError {
  readonly kind = 'conflict';
  readonly code = 'order-shipped';
  constructor(
    readonly orderId: string,
    readonly shipmentId: string,
  ) {
    super(`Order ${orderId} was shipped with shipment ${shipmentId}`);
  }
}

export class PaymentMismatch extends DomainError {
  readonly kind = 'rejected';
  readonly code = 'payment-mismatch';
  constructor(
    readonly orderId: string,
    readonly expected: { accountId: string; amount: number },
    readonly received: { accountId: string; amount: number },
  ) {
    super(
      `Order ${orderId} is owed ${expected.amount} from account ${expected.accountId}, ` +
        `not ${received.amount} from ${received.accountId}`,
    );
  }
}
