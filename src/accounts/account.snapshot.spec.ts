import { accountSnapshot } from './account.snapshot.js';
import type { AccountEvent } from './domain/account.events.js';
import { AccountNotFound } from './domain/account.errors.js';
import { erasePersonalData, evolve, initialState, withdraw } from './domain/account.js';
import {
  accountId,
  deposited,
  erased,
  opened,
  ownerId,
  state,
  withdrawn,
} from './testing/account-events.js';

describe('Account snapshots', () => {
  const history: AccountEvent[] = [opened(), deposited(Number.MAX_SAFE_INTEGER - 1), withdrawn(2)];
  const snapshot = accountSnapshot;

  it('restores exactly the state it was taken of, the balance still a safe integer', () => {
    const state = history.reduce(evolve, initialState());
    const restored = snapshot.fromSnapshot(JSON.parse(JSON.stringify(snapshot.toSnapshot(state))));

    expect(restored).toEqual(state);
    expect(restored).toMatchObject({ balance: Number.MAX_SAFE_INTEGER - 3 });
  });

  it('keeps an account without owner without owner', () => {
    const ownerless = state(opened('EUR', null));
    const restored = snapshot.fromSnapshot(
      JSON.parse(JSON.stringify(snapshot.toSnapshot(ownerless))),
    );
    expect(restored).toEqual(ownerless);
    expect(() => withdraw(restored, { accountId, amount: 1, ownedBy: ownerId })).toThrow(
      AccountNotFound,
    );
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
    { status: 'open', id: accountId, ownerName: 'Ada', currency: 'EUR', balance: 1 },
    { status: 'open', id: accountId, ownerName: 'Ada', currency: 'EUR', balance: 1, ownerId: 7 },
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
