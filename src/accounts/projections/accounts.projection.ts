import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type PersistedEvent, PostgresEventStore } from '../../event-store/index.js';
import {
  type EntityProjection,
  EntityWriter,
  type ProjectedEvent,
  Projection,
  type ProjectionHandler,
  type ProjectionTransaction,
} from '../../projections/index.js';
import { ACCOUNT_EVENT_TYPES, type AccountEvent } from '../domain/account.events.js';
import { accountBalances, type BalanceRow } from './account-balance.projection.js';
import type { TransactionKind } from './account-transaction.entity.js';

const KIND: Record<
  Exclude<AccountEvent['type'], 'AccountOpened' | 'PersonalDataErased'>,
  TransactionKind
> = {
  MoneyDeposited: 'deposit',
  MoneyWithdrawn: 'withdrawal',
  WithdrawalRejected: 'rejected-withdrawal',
};

const INSERT_LINES = `
  INSERT INTO account_transactions
    (account_id, stream_version, global_position, kind, amount, balance_after, description, recorded_at)
  SELECT account_id, stream_version, global_position, kind, amount, balance_after, description,
    'epoch'::timestamptz + recorded_ms * interval '1 millisecond'
  FROM unnest($1::uuid[], $2::int[], $3::bigint[], $4::text[], $5::bigint[], $6::bigint[], $7::text[], $8::bigint[])
    AS l(account_id, stream_version, global_position, kind, amount, balance_after, description, recorded_ms)
  ON CONFLICT (account_id, stream_version) DO NOTHING`;

/**
 * Balances (the entity projection `accountBalances`, each touched row written once per transaction) and the
 * statement lines its fold produces, inserted once per page: a line is a money event the balance applied.
 */
@Projection('accounts')
@Injectable()
export class AccountsProjection implements ProjectionHandler {
  readonly eventTypes = ACCOUNT_EVENT_TYPES;
  readonly tables = ['account_balances', 'account_transactions'];
  readonly withoutMetadata = true;
  private readonly balances: EntityProjection<BalanceRow, AccountEvent>;

  constructor(store: PostgresEventStore) {
    this.balances = accountBalances(store.personalData.columns);
  }

  async apply(events: readonly PersistedEvent[], tx: EntityManager): Promise<void> {
    const writer = this.open(tx);
    await writer.write(events);
    await writer.finish();
  }

  open(tx: EntityManager): ProjectionTransaction {
    return new AccountsTransaction(this.balances, tx);
  }
}

class AccountsTransaction implements ProjectionTransaction {
  private readonly balances: EntityWriter<BalanceRow, AccountEvent>;
  private lines = new StatementLines();

  constructor(
    projection: EntityProjection<BalanceRow, AccountEvent>,
    private readonly tx: EntityManager,
  ) {
    this.balances = new EntityWriter(projection, tx, (event, before, after) =>
      this.lines.add(event, before, after),
    );
  }

  async write(events: readonly PersistedEvent[]): Promise<void> {
    await this.balances.write(events);
    if (this.lines.accountId.length === 0) return;
    const lines = this.lines;
    this.lines = new StatementLines();
    await this.tx.query(INSERT_LINES, Object.values(lines));
  }

  finish(): Promise<void> {
    return this.balances.finish();
  }
}

/** The columns of the statement lines of one page, in the order of INSERT_LINES. */
class StatementLines {
  readonly accountId: string[] = [];
  readonly streamVersion: number[] = [];
  readonly globalPosition: number[] = [];
  readonly kind: string[] = [];
  readonly amount: number[] = [];
  readonly balanceAfter: number[] = [];
  readonly description: Array<string | null> = [];
  /** Epoch milliseconds: a Date's precision, and no string per event. */
  readonly recordedAt: number[] = [];

  add(
    event: ProjectedEvent<AccountEvent>,
    before: BalanceRow | null,
    after: BalanceRow | null,
  ): void {
    if (!before || !after || after === before) return;
    if (event.type === 'AccountOpened' || event.type === 'PersonalDataErased') return;
    this.accountId.push(after.id);
    this.streamVersion.push(event.streamVersion);
    this.globalPosition.push(event.globalPosition);
    this.kind.push(KIND[event.type]);
    this.amount.push(event.data.amount);
    this.balanceAfter.push(after.balance);
    this.description.push(event.data.description ?? null);
    this.recordedAt.push(event.recordedAt.getTime());
  }
}
