import { contractSpecFor } from '../../integration/testing/contract-spec.js';
import { ACCOUNT_EVENT_TYPES } from '../domain/account.events.js';
import { ACCOUNTS_INTEGRATION_EVENTS } from './accounts-integration-events.js';

const accountId = '2f8e6c1a-4b3d-4e5f-9a7b-1c2d3e4f5a6b';
const ownerId = '0c3f2a1e-5b7d-4e69-8a10-7d2c4b6e9f01';
const { publish, types } = contractSpecFor(ACCOUNTS_INTEGRATION_EVENTS);

describe('accounts.v1: what leaves for each account event', () => {
  it('maps every account event type', () => {
    expect(types).toEqual([...ACCOUNT_EVENT_TYPES]);
  });

  it("AccountOpened: the account, its owner's id and its currency, never the owner's name", () => {
    const data = { accountId, ownerName: 'Ada Lovelace', currency: 'EUR', ownerId };
    expect(publish({ type: 'AccountOpened', data })).toEqual({
      accountId,
      ownerId,
      currency: 'EUR',
    });
    expect(publish({ type: 'AccountOpened', data: { ...data, ownerId: null } })).toEqual({
      accountId,
      ownerId: null,
      currency: 'EUR',
    });
  });

  it('MoneyDeposited: amount in minor units and where it came from, never the description', () => {
    expect(
      publish({
        type: 'MoneyDeposited',
        data: {
          accountId,
          amount: 1_250,
          description: 'rent from Grace Hopper',
          source: 'transfer',
        },
      }),
    ).toEqual({ accountId, amount: 1_250, source: 'transfer' });
    expect(
      publish({ type: 'MoneyDeposited', data: { accountId, amount: 1, source: 'unknown' } }),
    ).toEqual({ accountId, amount: 1, source: 'unknown' });
  });

  it('MoneyWithdrawn and WithdrawalRejected: amounts and the reason code, never the balance or the description', () => {
    expect(
      publish({ type: 'MoneyWithdrawn', data: { accountId, amount: 700, description: 'shoes' } }),
    ).toEqual({ accountId, amount: 700 });
    expect(
      publish({
        type: 'WithdrawalRejected',
        data: {
          accountId,
          amount: 900,
          balance: 12,
          reason: 'currency-mismatch',
          currency: 'USD',
          description: 'x',
        },
      }),
    ).toEqual({ accountId, amount: 900, reason: 'currency-mismatch' });
  });

  it('PersonalDataErased: the account alone', () => {
    expect(publish({ type: 'PersonalDataErased', data: { accountId } })).toEqual({ accountId });
  });

  it('refuses what its schema does not admit: an amount that is not a safe integer', () => {
    expect(() => publish({ type: 'MoneyWithdrawn', data: { accountId, amount: 2 ** 53 } })).toThrow(
      /must be <= 9007199254740991/,
    );
  });
});
