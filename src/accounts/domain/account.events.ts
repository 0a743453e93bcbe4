import type { EventTypeDefinition } from '../../event-store/index.js';

/**
 * Schema version 2 added `ownerId`: the customer who opened the account, who alone (with staff) may reach it.
 * null: opened before accounts had owners, so staff only.
 */
export type AccountOpened = {
  type: 'AccountOpened';
  data: { accountId: string; ownerName: string; currency: string; ownerId: string | null };
};
/** Where deposited money came from, as the client stated it. */
export const DEPOSIT_SOURCES = ['cash', 'transfer', 'card', 'other'] as const;
/** `unknown`: nobody said; every deposit stored before schema version 2, and any deposit sent without one. */
export type DepositSource = (typeof DEPOSIT_SOURCES)[number] | 'unknown';

/** Schema version 2 added `source`. */
export type MoneyDeposited = {
  type: 'MoneyDeposited';
  data: { accountId: string; amount: number; description?: string; source: DepositSource };
};
export type MoneyWithdrawn = {
  type: 'MoneyWithdrawn';
  data: { accountId: string; amount: number; description?: string };
};
/** Too little money, or a payer that must be paid in a currency other than the account's (an order's). */
export type WithdrawalRejectionReason = 'insufficient-funds' | 'currency-mismatch';
export type WithdrawalRejected = {
  type: 'WithdrawalRejected';
  data: {
    accountId: string;
    amount: number;
    description?: string;
    reason: WithdrawalRejectionReason;
    /** The balance when the withdrawal was refused. */
    balance: number;
    /** The currency the withdrawal asked for; set for `currency-mismatch`. */
    currency?: string;
  };
};

/** The owner's personal data was erased: their name reads as PERSONAL_DATA_ERASED from now on, in every view. */
export type PersonalDataErased = {
  type: 'PersonalDataErased';
  data: { accountId: string };
};

export type AccountEvent =
  AccountOpened | MoneyDeposited | MoneyWithdrawn | WithdrawalRejected | PersonalDataErased;

export const ACCOUNT_EVENT_TYPES: ReadonlyArray<AccountEvent['type']> = [
  'AccountOpened',
  'MoneyDeposited',
  'MoneyWithdrawn',
  'WithdrawalRejected',
  'PersonalDataErased',
];

/**
 * Each type's schema version, upcasters and personal data. What v1 did not record reads as `unknown` (a deposit's
 * source) or as no owner (staff only), never a guess a report would count as fact. See docs/architecture.md#upcasting.
 */
export const ACCOUNT_EVENT_DEFINITIONS: readonly EventTypeDefinition[] = [
  {
    type: 'AccountOpened',
    schemaVersion: 2,
    upcasters: { 1: (data) => ({ ...data, ownerId: null }) },
    personal: { subject: 'accountId', fields: ['ownerName'] },
  },
  {
    type: 'MoneyDeposited',
    schemaVersion: 2,
    upcasters: { 1: (data) => ({ ...data, source: 'unknown' satisfies DepositSource }) },
  },
  { type: 'MoneyWithdrawn', schemaVersion: 1 },
  { type: 'WithdrawalRejected', schemaVersion: 1 },
  { type: 'PersonalDataErased', schemaVersion: 1 },
];
