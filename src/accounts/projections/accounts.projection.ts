import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PersistedEvent } from '../../event-store/persisted-event.js';
import { PERSONAL_DATA_ERASED } from '../../event-store/personal-data.js';
import { Projection, type ProjectionHandler } from '../../projections/projection.js';
import { ACCOUNT_EVENT_TYPES, type AccountEvent } from '../domain/account.events.js';
import { AccountBalance } from './account-balance.entity.js';
import { AccountTransaction, type TransactionKind } from './account-transaction.entity.js';

const KIND: Record<
  Exclude<AccountEvent['type'], 'AccountOpened' | 'PersonalDataErased'>,
  TransactionKind
> = {
  MoneyDeposited: 'deposit',
  MoneyWithdrawn: 'withdrawal',
  WithdrawalRejected: 'rejected-withdrawal',
};
const SIGN: Record<TransactionKind, number> = {
  deposit: 1,
  withdrawal: -1,
  'rejected-withdrawal': 0,
};

/**
 * Balances and statement lines. A batch is folded in memory over the rows it touches, then written with one
 * upsert and one insert into the entities' tables (unnest: one statement whatever the batch size); `version`
 * skips any event a row already reflects.
 */
/** Timestamps stay ISO text from the row to the statement: no Date parsing and formatting per event. */
type Balance = Omit<AccountBalance, 'openedAt' | 'updatedAt'> & {
  openedAt: string;
  updatedAt: string;
};
type Line = Omit<AccountTransaction, 'recordedAt'> & { recordedAt: string };

interface BalanceRow {
  id: string;
  owner_name: string;
  currency: string;
  balance: string;
  version: number;
  opened_at: string;
  updated_at: string;
}

@Projection('accounts')
@Injectable()
export class AccountsProjection implements ProjectionHandler {
  readonly eventTypes = ACCOUNT_EVENT_TYPES;
  readonly tables = ['account_balances', 'account_transactions'];

  async apply(events: readonly PersistedEvent[], tx: EntityManager): Promise<void> {
    const ids = [...new Set(events.map((e) => (e.data as AccountEvent['data']).accountId))];
    // Raw SQL, timestamps as text: this runs once per batch of a catch-up over millions of events.
    const rows: BalanceRow[] = await tx.query(
      `SELECT id, owner_name, currency, balance, version, opened_at::text AS opened_at,
         updated_at::text AS updated_at
       FROM account_balances WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    const balances = new Map(
      rows.map((row) => [
        row.id,
        {
          id: row.id,
          ownerName: row.owner_name,
          currency: row.currency,
          balance: Number(row.balance),
          version: row.version,
          openedAt: row.opened_at,
          updatedAt: row.updated_at,
        } as Balance,
      ]),
    );
    const changed = new Set<Balance>();
    const lines: Line[] = [];

    for (const stored of events) {
      const event = { type: stored.type, data: stored.data } as AccountEvent;
      const at = stored.recordedAt.toISOString();
      const account = balances.get(event.data.accountId);
      if (event.type === 'AccountOpened') {
        if (account) continue;
        const opened: Balance = {
          id: event.data.accountId,
          ownerName: event.data.ownerName,
          currency: event.data.currency,
          balance: 0,
          version: stored.streamVersion,
          openedAt: at,
          updatedAt: at,
        };
        balances.set(opened.id, opened);
        changed.add(opened);
        continue;
      }
      if (!account || stored.streamVersion <= account.version) continue;
      account.version = stored.streamVersion;
      account.updatedAt = at;
      changed.add(account);
      if (event.type === 'PersonalDataErased') {
        account.ownerName = PERSONAL_DATA_ERASED;
        continue;
      }
      const kind = KIND[event.type];
      account.balance += SIGN[kind] * event.data.amount;
      lines.push({
        accountId: account.id,
        streamVersion: stored.streamVersion,
        globalPosition: stored.globalPosition,
        kind,
        amount: event.data.amount,
        balanceAfter: account.balance,
        description: event.data.description ?? null,
        recordedAt: at,
      });
    }

    if (changed.size > 0) {
      const rows = [...changed];
      await tx.query(
        `INSERT INTO account_balances (id, owner_name, currency, balance, version, opened_at, updated_at)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::char(3)[], $4::bigint[], $5::int[], $6::timestamptz[], $7::timestamptz[])
         ON CONFLICT (id) DO UPDATE SET owner_name = EXCLUDED.owner_name, balance = EXCLUDED.balance,
           version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
         WHERE account_balances.version < EXCLUDED.version`,
        [
          rows.map((r) => r.id),
          rows.map((r) => r.ownerName),
          rows.map((r) => r.currency),
          rows.map((r) => r.balance),
          rows.map((r) => r.version),
          rows.map((r) => r.openedAt),
          rows.map((r) => r.updatedAt),
        ],
      );
    }
    if (lines.length > 0) {
      await tx.query(
        `INSERT INTO account_transactions
           (account_id, stream_version, global_position, kind, amount, balance_after, description, recorded_at)
         SELECT * FROM unnest($1::uuid[], $2::int[], $3::bigint[], $4::text[], $5::bigint[], $6::bigint[], $7::text[], $8::timestamptz[])
         ON CONFLICT (account_id, stream_version) DO NOTHING`,
        [
          lines.map((l) => l.accountId),
          lines.map((l) => l.streamVersion),
          lines.map((l) => l.globalPosition),
          lines.map((l) => l.kind),
          lines.map((l) => l.amount),
          lines.map((l) => l.balanceAfter),
          lines.map((l) => l.description),
          lines.map((l) => l.recordedAt),
        ],
      );
    }
  }
}
