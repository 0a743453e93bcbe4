export type AccountOpened = {
  type: 'AccountOpened';
  data: { accountId: string; ownerName: string; currency: string };
};
export type MoneyDeposited = {
  type: 'MoneyDeposited';
  data: { accountId: string; amount: number; description?: string };
};
export type MoneyWithdrawn = {
  type: 'MoneyWithdrawn';
  data: { accountId: string; amount: number; description?: string };
};
export type WithdrawalRejected = {
  type: 'WithdrawalRejected';
  data: {
    accountId: string;
    amount: number;
    description?: string;
    reason: 'insufficient-funds';
    /** The balance when the withdrawal was refused. */
    balance: number;
  };
};

export type AccountEvent = AccountOpened | MoneyDeposited | MoneyWithdrawn | WithdrawalRejected;

export const ACCOUNT_EVENT_TYPES: ReadonlyArray<AccountEvent['type']> = [
  'AccountOpened',
  'MoneyDeposited',
  'MoneyWithdrawn',
  'WithdrawalRejected',
];
