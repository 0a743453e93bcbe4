import type { AccountEvent } from '../domain/account.events.js';
import { evolve, initialState } from '../domain/account.js';

/** Events of one account, for the specs of the domain and of its snapshots. */
export const accountId = '6f1c0a52-8d3e-4c7b-9a51-2b7e4d9c0f11';
export const ownerId = '3b9e6c2a-1d4f-4e8a-9c7b-5a2d8f1e6c03';
export const opened = (currency = 'EUR', owner: string | null = ownerId): AccountEvent => ({
  type: 'AccountOpened',
  data: { accountId, ownerName: 'Ada Lovelace', currency, ownerId: owner },
});
export const deposited = (amount: number): AccountEvent => ({
  type: 'MoneyDeposited',
  data: { accountId, amount, source: 'transfer' },
});
export const withdrawn = (amount: number): AccountEvent => ({
  type: 'MoneyWithdrawn',
  data: { accountId, amount },
});
export const erased = (): AccountEvent => ({ type: 'PersonalDataErased', data: { accountId } });
export const state = (...events: AccountEvent[]) => events.reduce(evolve, initialState());
