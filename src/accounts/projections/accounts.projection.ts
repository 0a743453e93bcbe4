import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { EntityManager } from 'typeorm';
import type { PersistedEvent } from '../../event-store/persisted-event.js';
import type { PersonalDataColumns } from '../../event-store/personal-data-columns.js';
import { PostgresEventStore } from '../../event-store/postgres-event-store.js';
import {
  Projection,
  type ProjectionHandler,
  type ProjectionTransaction,
} from '../../projections/projection.js';
import { ACCOUNT_EVENT_TYPES, type AccountEvent } from '../domain/account.events.js';
import type { TransactionKind } from './account-transaction.entity.js';

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

/** Where the owner's name is kept, sealed under the account's key (the subject is the account). */
export const OWNER_NAME_COLUMN = 'account_balances.owner_name';

/**
 * A balance row as folded in memory. Timestamps are not parsed or formatted per event: `openedAt` is ISO text as
 * read from the row, or the opening event's Date.
 */
interface Balance {
  id: string;
  /** Sealed (see OWNER_NAME_COLUMN); null once erased. */
  ownerName: Buffer | null;
  /** The name of an account opened in this transaction, until finish() seals it. */
  openedAs?: string;
  currency: string;
  /** Whose account it is (AccountOpened's `ownerId`); null: staff only. Never changes. */
  ownerId: string | null;
  balance: number;
  version: number;
  openedAt: string | Date;
  /**
   * Epoch milliseconds of the last event applied (0 until one is): a number kept in the row object, not the
   * event's Date, which would keep every event's Date alive until the transaction ends.
   */
  updatedAtMs: number;
}

const SELECT_BALANCES = `
  SELECT id, owner_name, currency, owner_id, balance, version, opened_at::text AS opened_at
  FROM account_balances WHERE id = ANY($1::uuid[])`;

const INSERT_LINES = `
  INSERT INTO account_transactions
    (account_id, stream_version, global_position, kind, amount, balance_after, description, recorded_at)
  SELECT account_id, stream_version, global_position, kind, amount, balance_after, description,
    'epoch'::timestamptz + recorded_ms * interval '1 millisecond'
  FROM unnest($1::uuid[], $2::int[], $3::bigint[], $4::text[], $5::bigint[], $6::bigint[], $7::text[], $8::bigint[])
    AS l(account_id, stream_version, global_position, kind, amount, balance_after, description, recorded_ms)
  ON CONFLICT (account_id, stream_version) DO NOTHING`;

const UPSERT_BALANCES = `
  INSERT INTO account_balances (id, owner_name, currency, balance, version, opened_at, updated_at, owner_id)
  SELECT id, owner_name, currency, balance, version, opened_at,
    'epoch'::timestamptz + updated_ms * interval '1 millisecond', owner_id
  FROM unnest($1::uuid[], $2::bytea[], $3::char(3)[], $4::bigint[], $5::int[], $6::timestamptz[], $7::bigint[],
      $8::uuid[])
    AS b(id, owner_name, currency, balance, version, opened_at, updated_ms, owner_id)
  ON CONFLICT (id) DO UPDATE SET owner_name = EXCLUDED.owner_name, balance = EXCLUDED.balance,
    version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
  WHERE account_balances.version < EXCLUDED.version`;

/**
 * Balances and statement lines. Events are folded in memory over the balance rows they touch (read once per
 * transaction); each page's lines go in with one insert, and each balance touched is written once, when the
 * transaction finishes. `version` on a balance row skips any event it already reflects, so a replayed batch
 * changes nothing. The owner's name is written sealed under the account's key, so an erasure does not wait for
 * this projection (docs/architecture.md#personal-data-in-read-models).
 */
@Projection('accounts')
@Injectable()
export class AccountsProjection implements ProjectionHandler {
  readonly eventTypes = ACCOUNT_EVENT_TYPES;
  readonly tables = ['account_balances', 'account_transactions'];
  readonly withoutMetadata = true;
  private readonly columns: PersonalDataColumns;

  constructor(store: PostgresEventStore) {
    this.columns = store.personalData.columns;
  }

  async apply(events: readonly PersistedEvent[], tx: EntityManager): Promise<void> {
    const writer = this.open(tx);
    await writer.write(events);
    await writer.finish();
  }

  open(tx: EntityManager): ProjectionTransaction {
    return new AccountsTransaction(tx, this.columns);
  }
}

class AccountsTransaction implements ProjectionTransaction {
  /** Every balance row this transaction has read or opened; null: no such account (yet). */
  private readonly balances = new Map<string, Balance | null>();
  private readonly changed = new Set<Balance>();

  constructor(
    private readonly tx: EntityManager,
    private readonly columns: PersonalDataColumns,
  ) {}

  async write(events: readonly PersistedEvent[]): Promise<void> {
    await this.load(events);
    const lines = {
      accountId: [] as string[],
      streamVersion: [] as number[],
      globalPosition: [] as number[],
      kind: [] as string[],
      amount: [] as number[],
      balanceAfter: [] as number[],
      description: [] as Array<string | null>,
      /** Epoch milliseconds: a Date's precision, and no string per event. */
      recordedAt: [] as number[],
    };
    for (const stored of events) {
      const event = { type: stored.type, data: stored.data } as AccountEvent;
      const at = stored.recordedAt;
      const account = this.balances.get(event.data.accountId);
      if (event.type === 'AccountOpened') {
        if (account) continue;
        const opened: Balance = {
          id: event.data.accountId,
          ownerName: null,
          openedAs: event.data.ownerName,
          currency: event.data.currency,
          ownerId: event.data.ownerId,
          balance: 0,
          version: stored.streamVersion,
          openedAt: at,
          updatedAtMs: at.getTime(),
        };
        this.balances.set(opened.id, opened);
        this.changed.add(opened);
        continue;
      }
      if (!account || stored.streamVersion <= account.version) continue;
      account.version = stored.streamVersion;
      account.updatedAtMs = at.getTime();
      this.changed.add(account);
      if (event.type === 'PersonalDataErased') {
        account.ownerName = null;
        account.openedAs = undefined;
        continue;
      }
      const kind = KIND[event.type];
      account.balance += SIGN[kind] * event.data.amount;
      lines.accountId.push(account.id);
      lines.streamVersion.push(stored.streamVersion);
      lines.globalPosition.push(stored.globalPosition);
      lines.kind.push(kind);
      lines.amount.push(event.data.amount);
      lines.balanceAfter.push(account.balance);
      lines.description.push(event.data.description ?? null);
      lines.recordedAt.push(at.getTime());
    }
    if (lines.accountId.length > 0) await this.tx.query(INSERT_LINES, Object.values(lines));
  }

  async finish(): Promise<void> {
    if (this.changed.size === 0) return;
    const rows = [...this.changed];
    this.changed.clear();
    await this.sealNames(rows);
    await this.tx.query(UPSERT_BALANCES, [
      rows.map((r) => r.id),
      rows.map((r) => r.ownerName),
      rows.map((r) => r.currency),
      rows.map((r) => r.balance),
      rows.map((r) => r.version),
      rows.map((r) => iso(r.openedAt)),
      rows.map((r) => r.updatedAtMs),
      rows.map((r) => r.ownerId),
    ]);
  }

  /**
   * One key lookup, on this transaction's connection, for the accounts opened since the last finish; an owner
   * erased meanwhile gets no name.
   */
  private async sealNames(rows: readonly Balance[]): Promise<void> {
    const opened = rows.filter((row) => row.openedAs !== undefined);
    if (opened.length === 0) return;
    const sealed = await this.columns.seal(
      OWNER_NAME_COLUMN,
      opened.map((row) => ({ subject: row.id, value: row.openedAs })),
      (await this.tx.queryRunner!.connect()) as PoolClient,
    );
    opened.forEach((row, i) => {
      row.ownerName = sealed[i];
      row.openedAs = undefined;
    });
  }

  /** Reads the balance rows of the accounts these events name that this transaction has not seen yet. */
  private async load(events: readonly PersistedEvent[]): Promise<void> {
    const unseen = new Set<string>();
    for (const event of events) {
      const id = (event.data as AccountEvent['data']).accountId;
      if (!this.balances.has(id)) unseen.add(id);
    }
    if (unseen.size === 0) return;
    const rows: Array<{
      id: string;
      owner_name: Buffer | null;
      currency: string;
      owner_id: string | null;
      balance: string;
      version: number;
      opened_at: string;
    }> = await this.tx.query(SELECT_BALANCES, [[...unseen]]);
    for (const id of unseen) this.balances.set(id, null);
    for (const row of rows) {
      this.balances.set(row.id, {
        id: row.id,
        ownerName: row.owner_name,
        currency: row.currency,
        ownerId: row.owner_id,
        balance: Number(row.balance),
        version: row.version,
        openedAt: row.opened_at,
        updatedAtMs: 0,
      });
    }
  }
}

const iso = (at: string | Date) => (typeof at === 'string' ? at : at.toISOString());
