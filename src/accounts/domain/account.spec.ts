import { PERSONAL_DATA_ERASED } from '../../shared/personal-data-erased.js';
import { specFor } from '../../shared/testing/given-when-then.js';
import {
  accountDefinition,
  deposit,
  erasePersonalData,
  evolve,
  initialState,
  open,
  withdraw,
  requireReachable,
  MAX_AMOUNT,
  type AccountState,
} from './account.js';
import type { AccountEvent, DepositSource } from './account.events.js';
import {
  AccountAlreadyOpened,
  AccountNotFound,
  BalanceLimitExceeded,
  InvalidAmount,
  InvalidCurrency,
  InvalidDepositSource,
  InvalidOwnerName,
} from './account.errors.js';
import {
  accountId,
  deposited,
  erased,
  opened,
  ownerId,
  state,
  withdrawn,
} from '../testing/account-events.js';

const stranger = '7d1a4e9c-2b6f-4c3a-8e5d-9f0b1c2a3d47';
const given = specFor(accountDefinition);
/** What a refusal says, to compare two of them. */
const caught = (decision: () => unknown) => {
  try {
    decision();
  } catch (error) {
    const { name, message, code, kind } = error as AccountNotFound;
    return { name, message, code, kind, details: (error as AccountNotFound).details() };
  }
  throw new Error('not refused');
};

describe('Account', () => {
  describe('open', () => {
    it('opens an account with an owner and a currency', () =>
      given([])
        .when((s) => open(s, { accountId, ownerName: '  Ada Lovelace ', currency: 'EUR', ownerId }))
        .then([opened()]));

    it('records an initial deposit in the same decision', () =>
      given([])
        .when((s) =>
          open(s, {
            accountId,
            ownerName: 'Ada Lovelace',
            currency: 'EUR',
            initialDeposit: 500,
            ownerId,
          }),
        )
        .then([
          opened(),
          {
            type: 'MoneyDeposited',
            data: { accountId, amount: 500, description: 'Initial deposit', source: 'unknown' },
          },
        ]));

    it('refuses to open twice', () =>
      given([opened()])
        .when((s) => open(s, { accountId, ownerName: 'Ada', currency: 'EUR', ownerId }))
        .thenThrows(AccountAlreadyOpened));

    it.each(['eur', 'EURO', 'XXQ', ''])('refuses the currency %p', (currency) =>
      given([])
        .when((s) => open(s, { accountId, ownerName: 'Ada', currency, ownerId }))
        .thenThrows(InvalidCurrency),
    );

    it('refuses a blank owner name', () =>
      given([])
        .when((s) => open(s, { accountId, ownerName: '   ', currency: 'EUR', ownerId }))
        .thenThrows(InvalidOwnerName));
  });

  describe('deposit', () => {
    it('adds money, recording where it came from', () =>
      given([opened(), deposited(100)])
        .when((s) => deposit(s, { accountId, amount: 250, description: 'salary', source: 'card' }))
        .then([
          {
            type: 'MoneyDeposited',
            data: { accountId, amount: 250, description: 'salary', source: 'card' },
          },
        ]));

    it('records the source as unknown when none is given', () =>
      given([opened()])
        .when((s) => deposit(s, { accountId, amount: 5 }))
        .then([{ type: 'MoneyDeposited', data: { accountId, amount: 5, source: 'unknown' } }]));

    it('refuses a source it does not know', () =>
      given([opened()])
        .when((s) => deposit(s, { accountId, amount: 5, source: 'cheque' as DepositSource }))
        .thenThrows(InvalidDepositSource));

    it.each([0, -1, 1.5, MAX_AMOUNT + 1, Number.NaN])('refuses the amount %p', (amount) =>
      given([opened()])
        .when((s) => deposit(s, { accountId, amount }))
        .thenThrows(InvalidAmount),
    );

    it('refuses a deposit to an account that was never opened', () =>
      given([])
        .when((s) => deposit(s, { accountId, amount: 1 }))
        .thenThrows(AccountNotFound, new RegExp(accountId)));

    it('refuses a deposit that would take the balance past the largest safe integer', () =>
      given([opened(), deposited(Number.MAX_SAFE_INTEGER - 10)])
        .when((s) => deposit(s, { accountId, amount: 11 }))
        .thenThrows(BalanceLimitExceeded));
  });

  describe('withdraw', () => {
    it('takes money out when the balance covers it', () =>
      given([opened(), deposited(100)])
        .when((s) => withdraw(s, { accountId, amount: 100 }))
        .then([{ type: 'MoneyWithdrawn', data: { accountId, amount: 100 } }]));

    it('records a refused withdrawal, with the balance at that moment, instead of failing', () =>
      given([opened(), deposited(100), withdrawn(30)])
        .when((s) => withdraw(s, { accountId, amount: 71, description: 'rent' }))
        .then([
          {
            type: 'WithdrawalRejected',
            data: {
              accountId,
              amount: 71,
              description: 'rent',
              reason: 'insufficient-funds',
              balance: 70,
            },
          },
        ]));

    it('refuses an invalid amount before looking at the balance', () =>
      given([opened(), deposited(100)])
        .when((s) => withdraw(s, { accountId, amount: 0 }))
        .thenThrows(InvalidAmount));

    it('pays in the currency asked for when the account holds it', () =>
      given([opened('EUR'), deposited(100)])
        .when((s) => withdraw(s, { accountId, amount: 40, currency: 'EUR' }))
        .then([{ type: 'MoneyWithdrawn', data: { accountId, amount: 40 } }]));

    it('records a withdrawal asked for in another currency as refused, the balance untouched', () =>
      given([opened('EUR'), deposited(100)])
        .when((s) =>
          withdraw(s, { accountId, amount: 40, description: 'Order 42', currency: 'USD' }),
        )
        .then([
          {
            type: 'WithdrawalRejected',
            data: {
              accountId,
              amount: 40,
              description: 'Order 42',
              reason: 'currency-mismatch',
              balance: 100,
              currency: 'USD',
            },
          },
        ]));

    it('names the currency mismatch before the lack of funds', () =>
      given([opened('JPY')])
        .when((s) => withdraw(s, { accountId, amount: 500, currency: 'EUR' }))
        .then([
          {
            type: 'WithdrawalRejected',
            data: {
              accountId,
              amount: 500,
              reason: 'currency-mismatch',
              balance: 0,
              currency: 'EUR',
            },
          },
        ]));
  });

  describe('erasePersonalData', () => {
    it("records the erasure of the owner's personal data", () =>
      given([opened(), deposited(100)])
        .when((s) => erasePersonalData(s, { accountId }))
        .then([erased()]));

    it('decides nothing the second time: the first erasure stands', () =>
      given([opened(), erased()])
        .when((s) => erasePersonalData(s, { accountId }))
        .then([]));

    it('refuses to erase an account that was never opened', () =>
      given([])
        .when((s) => erasePersonalData(s, { accountId }))
        .thenThrows(AccountNotFound));

    it('leaves the placeholder instead of the name, and the money as it was', () => {
      const state = [opened(), deposited(100), erased()].reduce(evolve, initialState());
      expect(state).toEqual({
        status: 'open',
        id: accountId,
        ownerName: PERSONAL_DATA_ERASED,
        currency: 'EUR',
        balance: 100,
        ownerId,
        personalDataErased: true,
      });
    });

    it('still takes deposits and withdrawals once erased', () =>
      given([opened(), deposited(100), erased()])
        .when((s) => withdraw(s, { accountId, amount: 40 }))
        .then([withdrawn(40)]));
  });

  describe('owner', () => {
    it('is the customer who opened the account', () => {
      const state = [opened()].reduce(evolve, initialState());
      expect(state).toMatchObject({ status: 'open', ownerId });
    });

    it.each([
      ['deposit', (s: AccountState) => deposit(s, { accountId, amount: 5, ownedBy: ownerId })],
      ['withdraw', (s: AccountState) => withdraw(s, { accountId, amount: 5, ownedBy: ownerId })],
    ])('may %s on their own account', (_, decision) =>
      given([opened(), deposited(10)])
        .when(decision)
        .then([expect.objectContaining({ data: expect.objectContaining({ amount: 5 }) })]),
    );

    it('may erase their own personal data', () =>
      given([opened()])
        .when((s) => erasePersonalData(s, { accountId, ownedBy: ownerId }))
        .then([erased()]));

    const touches: Array<[string, (s: AccountState, ownedBy: string) => readonly AccountEvent[]]> =
      [
        ['deposit', (s, ownedBy) => deposit(s, { accountId, amount: 5, ownedBy })],
        ['withdraw', (s, ownedBy) => withdraw(s, { accountId, amount: 5, ownedBy })],
        ['overdraw', (s, ownedBy) => withdraw(s, { accountId, amount: 10_000, ownedBy })],
        [
          'withdraw in another currency',
          (s, ownedBy) => withdraw(s, { accountId, amount: 5, currency: 'USD', ownedBy }),
        ],
        ['erase', (s, ownedBy) => erasePersonalData(s, { accountId, ownedBy })],
      ];

    it.each(touches)(
      "refuses another customer's %s as if the account did not exist, recording nothing",
      (_, touch) =>
        given([opened(), deposited(10)])
          .when((s) => touch(s, stranger))
          .thenThrows(AccountNotFound, new RegExp(`Account ${accountId} does not exist`)),
    );

    it.each(touches)(
      "refuses a customer's %s on an account without owner (opened before owners): staff only",
      (_, touch) =>
        given([opened('EUR', null), deposited(10)])
          .when((s) => touch(s, ownerId))
          .thenThrows(AccountNotFound),
    );

    it('refuses a customer exactly as for an account never opened', () => {
      const foreign = () => withdraw(state(opened()), { accountId, amount: 1, ownedBy: stranger });
      const missing = () => withdraw(initialState(), { accountId, amount: 1, ownedBy: stranger });
      expect(foreign).toThrow(AccountNotFound);
      expect(caught(foreign)).toEqual(caught(missing));
    });

    it('lets staff (no owner limit) reach any account, one without owner too', () =>
      given([opened('EUR', null), deposited(10)])
        .when((s) => withdraw(s, { accountId, amount: 10 }))
        .then([withdrawn(10)]));

    it('is checked before If-Match by requireReachable, with the same refusal', () => {
      expect(() => requireReachable(state(opened()), { accountId, ownedBy: stranger })).toThrow(
        AccountNotFound,
      );
      expect(() => requireReachable(initialState(), { accountId })).toThrow(AccountNotFound);
      expect(requireReachable(state(opened()), { accountId, ownedBy: ownerId })).toMatchObject({
        ownerId,
      });
    });
  });

  it('a rejected withdrawal leaves the balance unchanged', () => {
    const events: AccountEvent[] = [
      opened(),
      deposited(50),
      {
        type: 'WithdrawalRejected',
        data: { accountId, amount: 80, reason: 'insufficient-funds', balance: 50 },
      },
    ];
    expect(events.reduce(evolve, initialState())).toMatchObject({ status: 'open', balance: 50 });
  });
});
