import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PersistedEvent } from '../../event-store/persisted-event.js';
import { PERSONAL_DATA_ERASED } from '../../event-store/personal-data.js';
import { Projection, type ProjectionHandler } from '../../projections/projection.js';
import {
  ACCOUNT_EVENT_TYPES,
  type AccountEvent,
  type AccountOpened,
} from '../domain/account.events.js';
import type { TransactionKind } from './account-transaction.entity.js';

const KIND: Record<
  Exclude<AccountEvent['type'], 'AccountOpened' | 'PersonalDataErased'>,
  TransactionKind
> = {
  MoneyDeposited: 'deposit',
  MoneyWithdrawn: 'withdrawal',
  WithdrawalRejected: 'rejected-withdrawal',
};

/** In the batch statement only: an erasure moves the row's version and masks the name, and writes no line. */
const ERASED = 'erased';

/**
 * Opens the balances of a batch's AccountOpened events; an account already there is left alone (replay).
 */
const OPEN_SQL = `
  INSERT INTO account_balances (id, owner_name, currency, balance, version, opened_at, updated_at)
  SELECT id, owner_name, currency, 0, version, at, at
  FROM unnest($1::uuid[], $2::text[], $3::char(3)[], $4::int[], $5::timestamptz[])
    AS o(id, owner_name, currency, version, at)
  ON CONFLICT (id) DO NOTHING`;

/**
 * The rest of a batch in one statement, folded by PostgreSQL: each event newer than its row's version gets its
 * statement line, with the running balance (the row's balance plus the amounts up to it), and each row touched
 * is updated once, to its last event. Events of accounts without a balance row (never opened) are passed over.
 */
const FOLD_SQL = `
  WITH e AS (
    SELECT * FROM unnest($1::uuid[], $2::int[], $3::bigint[], $4::text[], $5::bigint[], $6::text[],
      $7::timestamptz[])
      AS e(account_id, stream_version, global_position, kind, amount, description, recorded_at)
  ), applied AS (
    SELECT e.*, b.balance + sum(CASE e.kind WHEN 'deposit' THEN e.amount WHEN 'withdrawal' THEN -e.amount
        ELSE 0 END) OVER (PARTITION BY e.account_id ORDER BY e.stream_version) AS balance_after,
      bool_or(e.kind = '${ERASED}') OVER (PARTITION BY e.account_id) AS erased
    FROM e JOIN account_balances b ON b.id = e.account_id
    WHERE e.stream_version > b.version
  ), lines AS (
    INSERT INTO account_transactions
      (account_id, stream_version, global_position, kind, amount, balance_after, description, recorded_at)
    SELECT account_id, stream_version, global_position, kind, amount, balance_after, description, recorded_at
    FROM applied WHERE kind <> '${ERASED}'
    ON CONFLICT (account_id, stream_version) DO NOTHING
  )
  UPDATE account_balances b
  SET balance = last.balance_after, version = last.stream_version, updated_at = last.recorded_at,
    owner_name = CASE WHEN last.erased THEN '${PERSONAL_DATA_ERASED}' ELSE b.owner_name END
  FROM (SELECT DISTINCT ON (account_id) * FROM applied ORDER BY account_id, stream_version DESC) AS last
  WHERE b.id = last.account_id`;

/**
 * Balances and statement lines. A batch is two statements whatever its size: the accounts it opens, then
 * everything else folded in SQL (FOLD_SQL). `version` on each balance row skips any event the row already
 * reflects, so a replayed batch changes nothing.
 */
@Projection('accounts')
@Injectable()
export class AccountsProjection implements ProjectionHandler {
  readonly eventTypes = ACCOUNT_EVENT_TYPES;
  readonly tables = ['account_balances', 'account_transactions'];

  async apply(events: readonly PersistedEvent[], tx: EntityManager): Promise<void> {
    const opened: PersistedEvent[] = [];
    const rest: PersistedEvent[] = [];
    for (const stored of events) (stored.type === 'AccountOpened' ? opened : rest).push(stored);
    if (opened.length > 0) {
      const data = opened.map((e) => e.data as AccountOpened['data']);
      await tx.query(OPEN_SQL, [
        data.map((d) => d.accountId),
        data.map((d) => d.ownerName),
        data.map((d) => d.currency),
        opened.map((e) => e.streamVersion),
        opened.map((e) => e.recordedAt.toISOString()),
      ]);
    }
    if (rest.length === 0) return;
    const columns = {
      accountId: new Array<string>(rest.length),
      streamVersion: new Array<number>(rest.length),
      globalPosition: new Array<number>(rest.length),
      kind: new Array<string>(rest.length),
      amount: new Array<number>(rest.length),
      description: new Array<string | null>(rest.length),
      recordedAt: new Array<string>(rest.length),
    };
    rest.forEach((stored, i) => {
      const event = { type: stored.type, data: stored.data } as Exclude<
        AccountEvent,
        AccountOpened
      >;
      columns.accountId[i] = event.data.accountId;
      columns.streamVersion[i] = stored.streamVersion;
      columns.globalPosition[i] = stored.globalPosition;
      columns.recordedAt[i] = stored.recordedAt.toISOString();
      if (event.type === 'PersonalDataErased') {
        columns.kind[i] = ERASED;
        columns.amount[i] = 0;
        columns.description[i] = null;
      } else {
        columns.kind[i] = KIND[event.type];
        columns.amount[i] = event.data.amount;
        columns.description[i] = event.data.description ?? null;
      }
    });
    await tx.query(FOLD_SQL, Object.values(columns));
  }
}
