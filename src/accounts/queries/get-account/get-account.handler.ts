import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { poolOf } from '../../../event-store/event-store.module.js';
import { bigintAsNumber } from '../../../shared/bigint.transformer.js';
import { AccountNotFound } from '../../domain/account.errors.js';
import type { AccountResponse } from './account.response.js';
import { GetAccountQuery } from './get-account.query.js';

/** The hottest read: one prepared statement on the `account_balances` read entity's table. */
@QueryHandler(GetAccountQuery)
export class GetAccountHandler implements IQueryHandler<GetAccountQuery, AccountResponse> {
  private readonly pool: Pool;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.pool = poolOf(dataSource);
  }

  async execute({ accountId }: GetAccountQuery): Promise<AccountResponse> {
    const { rows } = await this.pool.query<Omit<AccountResponse, 'balance'> & { balance: string }>({
      name: 'chronicle_get_account',
      text: `SELECT id, owner_name AS "ownerName", currency, balance, version,
               to_char(opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "openedAt",
               to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "updatedAt"
             FROM account_balances WHERE id = $1`,
      values: [accountId],
    });
    const [row] = rows;
    if (!row) throw new AccountNotFound(accountId);
    return { ...row, balance: bigintAsNumber.from(row.balance) };
  }
}
