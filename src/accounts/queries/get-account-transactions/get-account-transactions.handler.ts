import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { MoreThan, type Repository } from 'typeorm';
import { ReadDatabase } from '../../../database/read-database.js';
import { AccountNotFound } from '../../domain/account.errors.js';
import { AccountBalance } from '../../projections/account-balance.entity.js';
import { AccountTransaction } from '../../projections/account-transaction.entity.js';
import { GetAccountTransactionsQuery } from './get-account-transactions.query.js';
import type { TransactionsPage } from './transactions-page.response.js';

@QueryHandler(GetAccountTransactionsQuery)
export class GetAccountTransactionsHandler implements IQueryHandler<
  GetAccountTransactionsQuery,
  TransactionsPage
> {
  private readonly balances: Repository<AccountBalance>;
  private readonly lines: Repository<AccountTransaction>;

  constructor(read: ReadDatabase) {
    this.balances = read.repository(AccountBalance);
    this.lines = read.repository(AccountTransaction);
  }

  async execute({ page }: GetAccountTransactionsQuery): Promise<TransactionsPage> {
    const { accountId, limit, after, ownedBy } = page;
    const reachable = { id: accountId, ...(ownedBy !== undefined && { ownerId: ownedBy }) };
    if (!(await this.balances.existsBy(reachable))) throw new AccountNotFound(accountId);
    const rows = await this.lines.find({
      where: { accountId, streamVersion: MoreThan(after) },
      order: { streamVersion: 'ASC' },
      take: limit + 1,
    });
    const items = rows.slice(0, limit).map((row) => ({
      version: row.streamVersion,
      position: row.globalPosition,
      kind: row.kind,
      amount: row.amount,
      balanceAfter: row.balanceAfter,
      description: row.description,
      recordedAt: row.recordedAt.toISOString(),
    }));
    return { items, nextCursor: rows.length > limit ? items[items.length - 1].version : null };
  }
}
