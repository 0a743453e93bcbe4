import { domainError } from '../../shared/domain-error.js';

export class OrderNotFound extends domainError('not-found', 'order-not-found') {
  constructor(readonly orderId: string) {
    super(`Order ${orderId} does not exist`);
  }
}

export class InvalidOrder extends domainError('invalid', 'invalid-order') {
  constructor(
    readonly orderId: string,
    readonly reason: string,
  ) {
    super(`Order ${orderId} cannot be placed: ${reason}`);
  }
}

export class OrderCancelledAlready extends domainError('conflict', 'order-cancelled') {
  constructor(
    readonly orderId: string,
    readonly attempted: string,
  ) {
    super(`Order ${orderId} was cancelled: it cannot be ${attempted}`);
  }
}

export class OrderNotPaid extends domainError('conflict', 'order-not-paid') {
  constructor(readonly orderId: string) {
    super(`Order ${orderId} is not paid: it cannot be shipped`);
  }
}

export class OrderAlreadyPaid extends domainError('conflict', 'order-already-paid') {
  constructor(readonly orderId: string) {
    super(`Order ${orderId} is paid: it can no longer be cancelled`);
  }
}

export class OrderShippedElsewhere extends domainError('conflict', 'order-shipped') {
  constructor(
    readonly orderId: string,
    readonly shipmentId: string,
  ) {
    super(`Order ${orderId} was shipped with shipment ${shipmentId}`);
  }
}

export class PaymentMismatch extends domainError('rejected', 'payment-mismatch') {
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
