import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type PersistedEvent, PostgresEventStore } from '../../event-store/index.js';
import {
  type EntityProjection,
  EntityWriter,
  type ProjectedEvent,
  Projection,
  type ReadModel,
  type ProjectionTransaction,
  insertNewRows,
} from '../../projections/index.js';
import { ACCOUNT_EVENT_TYPES, type AccountEvent } from '../domain/account.events.js';
import { accountBalances, type BalanceRow } from './account-balance.projection.js';
import { AccountTransaction, type TransactionKind } from './account-transaction.entity.js';

const KIND: Record<
  Exclude<AccountEvent['type'], 'AccountOpened' | 'PersonalDataErased'>,
  TransactionKind
> = {
  MoneyDeposited: 'deposit',
  MoneyWithdrawn: 'withdrawal',
  WithdrawalRejected: 'rejected-withdrawal',
};

/**
 * Balances (the entity projection `accountBalances`, each touched row written once per transaction) and the
 * statement lines its fold yields, inserted once per page. A line is yielded only for an event the balance did not
 * reflect (its version), and balance and lines commit together: each line is new to the table.
 */
// A class, not a declaration: its fold also yields a second entity's rows, inserted while the next page folds.
@Projection('accounts')
@Injectable()
export class AccountsProjection implements ReadModel {
  readonly eventTypes = ACCOUNT_EVENT_TYPES;
  readonly tables = ['account_balances', 'account_transactions'];
  // The balances' upsert needs their key; the lines are only copied in.
  readonly insertOnly = ['account_transactions'];
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
  private lines: AccountTransaction[] = [];
  /** The last page's lines, still being inserted while the next page is folded. */
  private inserting: Promise<void> = Promise.resolve();

  constructor(
    projection: EntityProjection<BalanceRow, AccountEvent>,
    private readonly tx: EntityManager,
  ) {
    this.balances = new EntityWriter(projection, tx, (event, before, after) => {
      const line = statementLine(event, before, after);
      if (line) this.lines.push(line);
    });
  }

  // The insert is not awaited here: the connection runs it while the worker folds the next page (bench row
  // "projection catch-up from zero"); the transaction's next statement queues behind it, finish() awaits it.
  async write(events: readonly PersistedEvent[]): Promise<void> {
    const folded = this.balances.write(events);
    folded.catch(() => undefined);
    // The insert's failure first: the statements queued after it fail only because it did.
    await this.inserting;
    await folded;
    const lines = this.lines;
    this.lines = [];
    this.inserting = insertNewRows(AccountTransaction, lines, this.tx);
    this.inserting.catch(() => undefined); // surfaces at the next write or in finish()
  }

  async finish(): Promise<void> {
    await this.inserting;
    await this.balances.finish();
  }
}

/** The statement line of a money event the balance applied; null for any other event. */
export function statementLine(
  event: ProjectedEvent<AccountEvent>,
  before: BalanceRow | null,
  after: BalanceRow | null,
): AccountTransaction | null {
  if (!before || !after || after === before) return null;
  if (event.type === 'AccountOpened' || event.type === 'PersonalDataErased') return null;
  return {
    accountId: after.id,
    streamVersion: event.streamVersion,
    globalPosition: event.globalPosition,
    kind: KIND[event.type],
    amount: event.data.amount,
    balanceAfter: after.balance,
    description: event.data.description ?? null,
    recordedAt: event.recordedAt,
  };
}
