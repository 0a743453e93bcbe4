import type { AggregateDefinition, SnapshotDefinition } from '../event-store/index.js';
import type { AccountEvent } from './domain/account.events.js';
import { accountDefinition, type AccountState } from './domain/account.js';

/**
 * The state as JSON, balance a safe integer like in the state itself. Bump ACCOUNT_STATE_VERSION on any change.
 * 2: `personalDataErased`; version 1 snapshots were written in clear before personal data was encrypted.
 * 3: `ownerId`.
 */
export const ACCOUNT_STATE_VERSION = 3;

export function toSnapshot(state: AccountState): Record<string, unknown> {
  return { ...state };
}

export function fromSnapshot(snapshot: Record<string, unknown>): AccountState {
  if (snapshot.status === 'unopened') return { status: 'unopened' };
  const { status, id, ownerName, currency, balance, ownerId, personalDataErased } = snapshot;
  const valid =
    status === 'open' &&
    typeof id === 'string' &&
    typeof ownerName === 'string' &&
    typeof currency === 'string' &&
    Number.isSafeInteger(balance) &&
    (balance as number) >= 0 &&
    (ownerId === null || typeof ownerId === 'string') &&
    (personalDataErased === undefined || personalDataErased === true);
  if (!valid) throw new Error('not an account snapshot');
  return {
    status,
    id,
    ownerName,
    currency,
    balance: balance as number,
    ownerId,
    ...(personalDataErased ? { personalDataErased } : {}),
  };
}

export const accountSnapshot: SnapshotDefinition<AccountState> = {
  stateVersion: ACCOUNT_STATE_VERSION,
  toSnapshot,
  fromSnapshot,
};

/** The account folded from its events, starting from its latest snapshot when one is stored. */
export const snapshottedAccountDefinition: AggregateDefinition<AccountState, AccountEvent> = {
  ...accountDefinition,
  snapshot: accountSnapshot,
};
