import { PERSONAL_DATA_ERASED } from '../../event-store/personal-data.js';
import { specFor } from '../../shared/testing/given-when-then.js';
import {
  accountDefinition,
  deposit,
  erasePersonalData,
  evolve,
  initialState,
  open,
  withdraw,
  MAX_AMOUNT,
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

const accountId = '6f1c0a52-8d3e-4c7b-9a51-2b7e4d9c0f11';
const given = specFor(accountDefinition);
const opened = (currency = 'EUR'): AccountEvent => ({
  type: 'AccountOpened',
  data: { accountId, ownerName: 'Ada Lovelace', currency },
});
const deposited = (amount: number): AccountEvent => ({
  type: 'MoneyDeposited',
  data: { accountId, amount, source: 'transfer' },
});
const withdrawn = (amount: number): AccountEvent => ({
  type: 'MoneyWithdrawn',
  data: { accountId, amount },
});
const erased = (): AccountEvent => ({ type: 'PersonalDataErased', data: { accountId } });

describe('Account', () => {
  describe('open', () => {
    it('opens an account with an owner and a currency', () =>
      given([])
        .when((s) => open(s, { accountId, ownerName: '  Ada Lovelace ', currency: 'EUR' }))
        .then([opened()]));

    it('records an initial deposit in the same decision', () =>
      given([])
        .when((s) =>
          open(s, { accountId, ownerName: 'Ada Lovelace', currency: 'EUR', initialDeposit: 500 }),
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
        .when((s) => open(s, { accountId, ownerName: 'Ada', currency: 'EUR' }))
        .thenThrows(AccountAlreadyOpened));

    it.each(['eur', 'EURO', 'XXQ', ''])('refuses the currency %p', (currency) =>
      given([])
        .when((s) => open(s, { accountId, ownerName: 'Ada', currency }))
        .thenThrows(InvalidCurrency),
    );

    it('refuses a blank owner name', () =>
      given([])
        .when((s) => open(s, { accountId, ownerName: '   ', currency: 'EUR' }))
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
        personalDataErased: true,
      });
    });

    it('still takes deposits and withdrawals once erased', () =>
      given([opened(), deposited(100), erased()])
        .when((s) => withdraw(s, { accountId, amount: 40 }))
        .then([withdrawn(40)]));
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

describe('Account snapshots', () => {
  const history: AccountEvent[] = [opened(), deposited(Number.MAX_SAFE_INTEGER - 1), withdrawn(2)];
  const snapshot = accountDefinition.snapshot!;

  it('restores exactly the state it was taken of, the balance still a safe integer', () => {
    const state = history.reduce(evolve, initialState());
    const restored = snapshot.fromSnapshot(JSON.parse(JSON.stringify(snapshot.toSnapshot(state))));

    expect(restored).toEqual(state);
    expect(restored).toMatchObject({ balance: Number.MAX_SAFE_INTEGER - 3 });
  });

  it('keeps an erasure across a snapshot', () => {
    const state = [opened(), erased()].reduce(evolve, initialState());
    const restored = snapshot.fromSnapshot(JSON.parse(JSON.stringify(snapshot.toSnapshot(state))));
    expect(restored).toEqual(state);
    expect(erasePersonalData(restored, { accountId })).toEqual([]);
  });

  it('decides the same from a restored state as from the folded history', () => {
    const restored = snapshot.fromSnapshot(
      snapshot.toSnapshot(history.reduce(evolve, initialState())),
    );
    expect(withdraw(restored, { accountId, amount: 1 })).toEqual(
      withdraw(history.reduce(evolve, initialState()), { accountId, amount: 1 }),
    );
  });

  it.each([
    {},
    { status: 'open', id: accountId, ownerName: 'Ada', currency: 'EUR', balance: '10' },
    { status: 'open', id: accountId, ownerName: 'Ada', currency: 'EUR', balance: 2 ** 53 },
    { status: 'open', id: accountId, ownerName: 'Ada', currency: 'EUR', balance: 1.5 },
    { status: 'closed' },
    {
      status: 'open',
      id: accountId,
      ownerName: 'Ada',
      currency: 'EUR',
      balance: 1,
      personalDataErased: 'yes',
    },
  ])('refuses a snapshot that is not an account state: %p', (bad) => {
    expect(() => snapshot.fromSnapshot(bad)).toThrow('not an account snapshot');
  });
});
