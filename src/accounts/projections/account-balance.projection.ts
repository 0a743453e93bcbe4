import type { EntityManager } from 'typeorm';
import type { PoolClient } from 'pg';
import type { PersonalDataColumns } from '../../event-store/index.js';
import type { EntityProjection, ProjectedEvent } from '../../projections/index.js';
import type { AccountEvent } from '../domain/account.events.js';
import { AccountBalance } from './account-balance.entity.js';

/** Where the owner's name is kept, sealed under the account's key (the subject is the account). */
export const OWNER_NAME_COLUMN = 'account_balances.owner_name';

/** A balance row; `openedAs` holds the name of an account opened in this transaction until it is sealed. */
export type BalanceRow = AccountBalance & { openedAs?: string };

const SIGN = { MoneyDeposited: 1, MoneyWithdrawn: -1, WithdrawalRejected: 0 } as const;

/** `version` skips any event the row already reflects, so a replayed batch changes nothing. */
export function evolveBalance(
  row: BalanceRow | null,
  event: ProjectedEvent<AccountEvent>,
): BalanceRow | null {
  if (event.type === 'AccountOpened') {
    if (row) return row;
    const { accountId, ownerName, currency, ownerId } = event.data;
    // In the entity's column order, as a loaded row: one object shape for the spreads below.
    return {
      id: accountId,
      ownerName: null,
      ownerId,
      currency,
      balance: 0,
      version: event.streamVersion,
      openedAt: event.recordedAt,
      updatedAt: event.recordedAt,
      openedAs: ownerName,
    };
  }
  if (!row || event.streamVersion <= row.version) return row;
  switch (event.type) {
    case 'PersonalDataErased':
      return { ...next(row, event, row.balance), ownerName: null, openedAs: undefined };
    case 'MoneyDeposited':
    case 'MoneyWithdrawn':
    case 'WithdrawalRejected':
      return next(row, event, row.balance + SIGN[event.type] * event.data.amount);
    default: {
      const unhandled: never = event;
      throw new Error(`Unhandled event ${(unhandled as AccountEvent).type}`);
    }
  }
}

/** The row after `event`, every field written out (a spread enumerates the row's properties: a catch-up's hot path). */
function next(row: BalanceRow, event: ProjectedEvent<AccountEvent>, balance: number): BalanceRow {
  return {
    id: row.id,
    ownerName: row.ownerName,
    ownerId: row.ownerId,
    currency: row.currency,
    balance,
    version: event.streamVersion,
    openedAt: row.openedAt,
    updatedAt: event.recordedAt,
    openedAs: row.openedAs,
  };
}

/**
 * `account_balances`: one row per account. The owner's name is written sealed under the account's key, so an
 * erasure does not wait for this projection (docs/architecture.md#personal-data-in-read-models).
 */
export function accountBalances(
  columns: PersonalDataColumns,
): EntityProjection<BalanceRow, AccountEvent> {
  return {
    entity: AccountBalance,
    rowId: (event) => event.data.accountId,
    evolve: evolveBalance,
    insertOnly: ['currency', 'ownerId', 'openedAt'],
    overwriteWhen: 't.version < EXCLUDED.version',
    beforeWrite: (rows, tx) => sealNames(columns, rows, tx),
  };
}

/** One key lookup, on the transaction's connection, for the accounts opened since the last write. */
async function sealNames(
  columns: PersonalDataColumns,
  rows: readonly BalanceRow[],
  tx: EntityManager,
): Promise<void> {
  const opened = rows.filter((row) => row.openedAs !== undefined);
  if (opened.length === 0) return;
  const sealed = await columns.seal(
    OWNER_NAME_COLUMN,
    opened.map((row) => ({ subject: row.id, value: row.openedAs })),
    (await tx.queryRunner!.connect()) as PoolClient,
  );
  opened.forEach((row, i) => {
    row.ownerName = sealed[i];
    row.openedAs = undefined;
  });
}
