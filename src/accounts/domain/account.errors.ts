import { domainError } from '../../shared/domain-error.js';

export class AccountNotFound extends domainError('not-found', 'account-not-found') {
  constructor(readonly accountId: string) {
    super(`Account ${accountId} does not exist`);
  }
}

export class AccountAlreadyOpened extends domainError('conflict', 'account-already-opened') {
  constructor(readonly accountId: string) {
    super(`Account ${accountId} is already open`);
  }
}

export class InvalidAmount extends domainError('invalid', 'invalid-amount') {
  constructor(readonly amount: unknown) {
    super(`Amount must be a whole number of minor units from 1 to 10^12, got ${String(amount)}`);
  }
}

export class InvalidDepositSource extends domainError('invalid', 'invalid-deposit-source') {
  constructor(readonly source: unknown) {
    super(`Deposit source must be cash, transfer, card, other or unknown, got ${String(source)}`);
  }
}

export class InvalidCurrency extends domainError('invalid', 'invalid-currency') {
  constructor(readonly currency: string) {
    super(`Currency must be an ISO 4217 code of three capital letters, got "${currency}"`);
  }
}

export class InvalidOwnerName extends domainError('invalid', 'invalid-owner-name') {
  constructor() {
    super('Owner name must be 1 to 200 characters and not blank');
  }
}

export class BalanceLimitExceeded extends domainError('rejected', 'balance-limit-exceeded') {
  constructor(
    readonly balance: number,
    readonly amount: number,
  ) {
    super(
      `A deposit of ${amount} would take the balance past ${Number.MAX_SAFE_INTEGER} minor units`,
      { balance, amount },
    );
  }
}

export class InsufficientFunds extends domainError('rejected', 'insufficient-funds') {
  constructor(
    readonly accountId: string,
    readonly balance: number,
    readonly amount: number,
    /** Where the WithdrawalRejected event was recorded. */
    readonly recorded?: { version: number; position: number },
  ) {
    super(`Account ${accountId} holds ${balance}, less than the ${amount} requested`, {
      balance,
      amount,
      ...recorded,
    });
  }
}

/** A withdrawal that had to be in another currency than the account's (an order's payment); recorded as refused. */
export class CurrencyMismatch extends domainError('rejected', 'currency-mismatch') {
  constructor(
    readonly accountId: string,
    readonly currency: string,
    readonly amount: number,
    /** Where the WithdrawalRejected event was recorded. */
    readonly recorded?: { version: number; position: number },
  ) {
    super(
      `Account ${accountId} does not hold ${currency}: ${amount} ${currency} cannot be paid from it`,
      { currency, amount, ...recorded },
    );
  }
}

/** Time travel to an instant before the account was opened. */
export class AccountNotYetOpened extends domainError('not-found', 'account-not-yet-opened') {
  constructor(
    readonly accountId: string,
    readonly asOf: Date,
    readonly openedAt: Date,
  ) {
    super(
      `Account ${accountId} did not exist at ${asOf.toISOString()}: it was opened at ${openedAt.toISOString()}`,
      { asOf: asOf.toISOString(), openedAt: openedAt.toISOString() },
    );
  }
}

/** Time travel to a version the account has not reached. */
export class AccountVersionNotFound extends domainError('not-found', 'account-version-not-found') {
  constructor(
    readonly accountId: string,
    readonly version: number,
    readonly currentVersion: number,
  ) {
    super(
      `Account ${accountId} is at version ${currentVersion}; version ${version} does not exist yet`,
      { version, currentVersion },
    );
  }
}
