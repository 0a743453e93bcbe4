import {
  EventTypeRegistry,
  PersistedEvent,
  UnknownEventTypeError,
} from '../../event-store/index.js';
import { persistedEvent } from '../../event-store/testing/persisted-events.js';
import { specFor } from '../../shared/testing/given-when-then.js';
import { accountDefinition, withdraw } from './account.js';
import { AccountNotFound } from './account.errors.js';
import { ACCOUNT_EVENT_DEFINITIONS, type AccountEvent } from './account.events.js';

const accountId = '6f1c0a52-8d3e-4c7b-9a51-2b7e4d9c0f11';
const registry = new EventTypeRegistry();
registry.register(...ACCOUNT_EVENT_DEFINITIONS);

const stored = (type: string, schemaVersion: number, data: Record<string, unknown>) =>
  persistedEvent(
    { type, data },
    {
      eventId: 'e',
      streamId: `account-${accountId}`,
      streamVersion: 2,
      globalPosition: 7,
      schemaVersion,
    },
  );
/** What a fold sees of a stored event: lifted to the current schema. */
const read = (type: string, schemaVersion: number, data: Record<string, unknown>) => {
  const event = registry.upcast(stored(type, schemaVersion, data));
  return { type: event.type, data: event.data } as AccountEvent;
};

describe('account event schemas', () => {
  it('reads a MoneyDeposited stored at version 1 as version 2 with source unknown', () => {
    const v1 = stored('MoneyDeposited', 1, { accountId, amount: 300, description: 'Salary' });

    const current = registry.upcast(v1);

    expect(current).toBeInstanceOf(PersistedEvent);
    expect(current).toMatchObject({
      eventId: 'e',
      streamVersion: 2,
      globalPosition: 7,
      schemaVersion: 2,
      data: { accountId, amount: 300, description: 'Salary', source: 'unknown' },
    });
    expect(v1.data).toEqual({ accountId, amount: 300, description: 'Salary' });
  });

  it('reads an AccountOpened stored at version 1 as opened by nobody: staff only', () => {
    const v1 = stored('AccountOpened', 1, { accountId, ownerName: 'Ada', currency: 'EUR' });
    expect(registry.upcast(v1)).toMatchObject({
      schemaVersion: 2,
      data: { accountId, ownerName: 'Ada', currency: 'EUR', ownerId: null },
    });
  });

  it('refuses a customer on an account opened at version 1, not staff', () => {
    const events = [
      read('AccountOpened', 1, { accountId, ownerName: 'Ada', currency: 'EUR' }),
      read('MoneyDeposited', 2, { accountId, amount: 20, source: 'card' }),
    ];
    const customerId = '3b9e6c2a-1d4f-4e8a-9c7b-5a2d8f1e6c03';
    specFor(accountDefinition)(events)
      .when((s) => withdraw(s, { accountId, amount: 5, ownedBy: customerId }))
      .thenThrows(AccountNotFound);
    return specFor(accountDefinition)(events)
      .when((s) => withdraw(s, { accountId, amount: 5 }))
      .then([{ type: 'MoneyWithdrawn', data: { accountId, amount: 5 } }]);
  });

  it('returns a current event itself, untouched', () => {
    const v2 = stored('MoneyDeposited', 2, { accountId, amount: 1, source: 'cash' });
    expect(registry.upcast(v2)).toBe(v2);
  });

  it('refuses a version it has no path from, naming the type and the version', () => {
    expect(() => registry.upcast(stored('MoneyDeposited', 3, {}))).toThrow(UnknownEventTypeError);
    expect(() => registry.upcast(stored('MoneyDeposited', 3, {}))).toThrow(
      /"MoneyDeposited" stored at schema version 3/,
    );
    expect(() => registry.upcast(stored('MoneyWithdrawn', 0, {}))).toThrow(/version 0/);
  });

  it('folds v1 deposits like v2 ones', () =>
    specFor(accountDefinition)([
      read('AccountOpened', 1, { accountId, ownerName: 'Ada', currency: 'EUR' }),
      read('MoneyDeposited', 1, { accountId, amount: 100 }),
      read('MoneyDeposited', 2, { accountId, amount: 20, source: 'card' }),
    ])
      .when((s) => withdraw(s, { accountId, amount: 121 }))
      .then([
        {
          type: 'WithdrawalRejected',
          data: { accountId, amount: 121, reason: 'insufficient-funds', balance: 120 },
        },
      ]));
});

describe('account personal data', () => {
  it("declares the owner's name personal data of the account, and nothing else", () => {
    const data = { accountId, ownerName: 'Ada', currency: 'EUR' };
    expect(registry.personalDataOf('AccountOpened')?.fields).toEqual(['ownerName']);
    expect(registry.personalSubjectOf('AccountOpened', data)).toBe(accountId);
    for (const type of [
      'MoneyDeposited',
      'MoneyWithdrawn',
      'WithdrawalRejected',
      'PersonalDataErased',
    ])
      expect(registry.personalDataOf(type)).toBeUndefined();
  });
});
