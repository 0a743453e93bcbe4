import {
  closedObject,
  field,
  type IntegrationContract,
  integrationEvent,
} from '../../integration/index.js';
import {
  type AccountOpened,
  DEPOSIT_SOURCES,
  type MoneyDeposited,
  type MoneyWithdrawn,
  type PersonalDataErased,
  type WithdrawalRejected,
} from '../domain/account.events.js';

const accountId = field.uuid('The account');

/**
 * accounts.v1: money in integer minor units of the account's currency. No owner name, no description (free text
 * a client typed): nothing here is personal data, so nothing published can outlive an erasure.
 */
export const ACCOUNTS_INTEGRATION_EVENTS: IntegrationContract = {
  context: 'accounts',
  version: 1,
  events: [
    integrationEvent<AccountOpened>({
      type: 'AccountOpened',
      name: 'AccountOpened',
      summary:
        'An account was opened, by a customer (ownerId) or, before owners existed, by nobody known (null)',
      payload: closedObject({
        accountId,
        ownerId: field.nullableUuid('The customer who owns it; null: staff only'),
        currency: field.currency(),
      }),
      map: ({ accountId, ownerId, currency }) => ({
        accountId,
        ownerId: ownerId ?? null,
        currency,
      }),
    }),
    integrationEvent<MoneyDeposited>({
      type: 'MoneyDeposited',
      name: 'MoneyDeposited',
      summary: 'Money was paid into an account',
      payload: closedObject({
        accountId,
        amount: field.amount('Integer minor units'),
        source: field.code('Where the money came from, as the client said; unknown: not said', [
          ...DEPOSIT_SOURCES,
          'unknown',
        ]),
      }),
      map: ({ accountId, amount, source }) => ({ accountId, amount, source }),
    }),
    integrationEvent<MoneyWithdrawn>({
      type: 'MoneyWithdrawn',
      name: 'MoneyWithdrawn',
      summary: 'Money was taken out of an account (a withdrawal, or the payment of an order)',
      payload: closedObject({ accountId, amount: field.amount('Integer minor units') }),
      map: ({ accountId, amount }) => ({ accountId, amount }),
    }),
    integrationEvent<WithdrawalRejected>({
      type: 'WithdrawalRejected',
      name: 'WithdrawalRejected',
      summary:
        'A withdrawal was refused: the balance did not cover it, or it asked for another currency',
      payload: closedObject({
        accountId,
        amount: field.amount('Integer minor units asked for'),
        reason: field.code('Why', ['insufficient-funds', 'currency-mismatch']),
      }),
      map: ({ accountId, amount, reason }) => ({ accountId, amount, reason }),
    }),
    integrationEvent<PersonalDataErased>({
      type: 'PersonalDataErased',
      name: 'PersonalDataErased',
      summary:
        "The owner's personal data was erased: erase what you keep about this account's owner",
      payload: closedObject({ accountId }),
      map: ({ accountId }) => ({ accountId }),
    }),
  ],
};
