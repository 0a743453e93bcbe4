import type { AggregateDefinition } from '../../event-store/index.js';
import { PERSONAL_DATA_ERASED } from '../../shared/personal-data-erased.js';
import {
  DEPOSIT_SOURCES,
  type AccountEvent,
  type DepositSource,
  type MoneyDeposited,
  type MoneyWithdrawn,
  type PersonalDataErased,
  type WithdrawalRejected,
} from './account.events.js';
import {
  AccountAlreadyOpened,
  AccountNotFound,
  BalanceLimitExceeded,
  InvalidAmount,
  InvalidCurrency,
  InvalidDepositSource,
  InvalidOwnerName,
} from './account.errors.js';

export const MAX_AMOUNT = 1_000_000_000_000;
export const MAX_BALANCE = Number.MAX_SAFE_INTEGER;

export type AccountState =
  | { status: 'unopened' }
  | {
      status: 'open';
      id: string;
      ownerName: string;
      currency: string;
      balance: number;
      /** The customer who opened it; null: opened before accounts had owners (staff only). */
      ownerId: string | null;
      /** Set once the owner's personal data is erased; absent before. */
      personalDataErased?: true;
    };

export type OpenAccount = {
  accountId: string;
  ownerName: string;
  currency: string;
  initialDeposit?: number;
  /** The customer opening it, who owns it from then on. */
  ownerId: string;
};
/**
 * Set on a command: only an account this customer owns may be touched; any other, and an account without owner,
 * is refused as if it did not exist (AccountNotFound), so its existence does not leak. Absent: any account (staff).
 */
type Reach = { ownedBy?: string };
export type Deposit = {
  accountId: string;
  amount: number;
  description?: string;
  /** `unknown` when not given. */
  source?: DepositSource;
} & Reach;
export type Withdraw = {
  accountId: string;
  amount: number;
  description?: string;
  /** Only from an account in this currency (a payment of an order in it); absent: any. */
  currency?: string;
} & Reach;
export type ErasePersonalData = { accountId: string } & Reach;

const ISO_CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export function isCurrencyCode(value: string): boolean {
  return /^[A-Z]{3}$/.test(value) && ISO_CURRENCIES.has(value);
}

export function isAmount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_AMOUNT;
}

export function isDepositSource(value: unknown): value is DepositSource {
  return value === 'unknown' || (DEPOSIT_SOURCES as readonly unknown[]).includes(value);
}

/** Whether a caller limited to `ownedBy`'s accounts (undefined: not limited) may reach an account of `ownerId`. */
export function isWithinReach(ownerId: string | null, ownedBy: string | undefined): boolean {
  return ownedBy === undefined || ownerId === ownedBy;
}

export const initialState = (): AccountState => ({ status: 'unopened' });

export function evolve(state: AccountState, event: AccountEvent): AccountState {
  switch (event.type) {
    case 'AccountOpened': {
      const { accountId, ownerName, currency, ownerId } = event.data;
      return { status: 'open', id: accountId, ownerName, currency, balance: 0, ownerId };
    }
    case 'MoneyDeposited':
      return state.status === 'open'
        ? { ...state, balance: state.balance + event.data.amount }
        : state;
    case 'MoneyWithdrawn':
      return state.status === 'open'
        ? { ...state, balance: state.balance - event.data.amount }
        : state;
    case 'WithdrawalRejected':
      return state;
    case 'PersonalDataErased':
      return state.status === 'open'
        ? { ...state, ownerName: PERSONAL_DATA_ERASED, personalDataErased: true }
        : state;
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

export function open(state: AccountState, command: OpenAccount): AccountEvent[] {
  if (state.status !== 'unopened') throw new AccountAlreadyOpened(command.accountId);
  const ownerName = command.ownerName.trim();
  if (ownerName.length === 0 || ownerName.length > 200) throw new InvalidOwnerName();
  if (!isCurrencyCode(command.currency)) throw new InvalidCurrency(command.currency);
  const opened: AccountEvent = {
    type: 'AccountOpened',
    data: {
      accountId: command.accountId,
      ownerName,
      currency: command.currency,
      ownerId: command.ownerId,
    },
  };
  if (command.initialDeposit === undefined) return [opened];
  if (!isAmount(command.initialDeposit)) throw new InvalidAmount(command.initialDeposit);
  return [
    opened,
    {
      type: 'MoneyDeposited',
      data: {
        accountId: command.accountId,
        amount: command.initialDeposit,
        description: 'Initial deposit',
        source: 'unknown',
      },
    },
  ];
}

export function deposit(
  state: AccountState,
  { accountId, amount, description, source = 'unknown', ownedBy }: Deposit,
): MoneyDeposited[] {
  const account = requireReachable(state, { accountId, ownedBy });
  if (!isAmount(amount)) throw new InvalidAmount(amount);
  if (!isDepositSource(source)) throw new InvalidDepositSource(source);
  if (account.balance + amount > MAX_BALANCE)
    throw new BalanceLimitExceeded(account.balance, amount);
  return [
    {
      type: 'MoneyDeposited',
      data: { accountId: account.id, amount, ...optional(description), source },
    },
  ];
}

/**
 * A withdrawal beyond the balance, or in a currency the account does not hold, is not an error but a fact: it is
 * recorded as WithdrawalRejected. One from someone else's account is not: nothing is recorded on an account its
 * caller may not know exists.
 */
export function withdraw(
  state: AccountState,
  { accountId, amount, description, currency, ownedBy }: Withdraw,
): Array<MoneyWithdrawn | WithdrawalRejected> {
  const account = requireReachable(state, { accountId, ownedBy });
  if (!isAmount(amount)) throw new InvalidAmount(amount);
  const rejected = (
    reason: WithdrawalRejected['data']['reason'],
    asked?: { currency: string },
  ): WithdrawalRejected[] => [
    {
      type: 'WithdrawalRejected',
      data: {
        accountId: account.id,
        amount,
        ...optional(description),
        reason,
        balance: account.balance,
        ...asked,
      },
    },
  ];
  if (currency !== undefined && currency !== account.currency)
    return rejected('currency-mismatch', { currency });
  if (amount > account.balance) return rejected('insufficient-funds');
  return [
    { type: 'MoneyWithdrawn', data: { accountId: account.id, amount, ...optional(description) } },
  ];
}

/** Erasing twice decides nothing: the first erasure stands. */
export function erasePersonalData(
  state: AccountState,
  { accountId, ownedBy }: ErasePersonalData,
): PersonalDataErased[] {
  const account = requireReachable(state, { accountId, ownedBy });
  if (account.personalDataErased) return [];
  return [{ type: 'PersonalDataErased', data: { accountId: account.id } }];
}

/**
 * The account, if it is open and the caller may reach it; otherwise AccountNotFound, the same for an account that
 * does not exist and for one the caller may not know exists. Commands check it before If-Match too.
 */
export function requireReachable(
  state: AccountState,
  { accountId, ownedBy }: { accountId: string } & Reach,
): Extract<AccountState, { status: 'open' }> {
  if (state.status !== 'open' || !isWithinReach(state.ownerId, ownedBy))
    throw new AccountNotFound(accountId);
  return state;
}

function optional(description: string | undefined) {
  return description === undefined ? {} : { description };
}

export const accountDefinition: AggregateDefinition<AccountState, AccountEvent> = {
  streamType: 'account',
  initialState,
  evolve,
};
