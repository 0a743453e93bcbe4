import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import { ReadDatabase } from '../../../database/read-database.js';
import { type PersonalDataColumns, PostgresEventStore } from '../../../event-store/index.js';
import { bigintAsNumber } from '../../../shared/bigint.transformer.js';
import { AccountNotFound } from '../../domain/account.errors.js';
import { OWNER_NAME_COLUMN } from '../../projections/account-balance.projection.js';
import type { AccountResponse } from './account.response.js';
import { GetAccountQuery } from './get-account.query.js';

interface Row extends Omit<AccountResponse, 'ownerName' | 'balance'> {
  ownerName: Buffer | null;
  balance: string;
  /** The account's key row, read with the name so an erasure anywhere shows at once: null for none. */
  keyFound: boolean;
  wrappedKey: Buffer | null;
}

/**
 * The hottest read: one prepared statement on the `account_balances` read entity's table, joined to the owner's
 * key, which opens the sealed name (or shows it erased, whatever the projection has seen). A customer's own
 * accounts only, when the query says so: an ownerless row (owner_id NULL) matches no customer.
 */
@QueryHandler(GetAccountQuery)
export class GetAccountHandler implements IQueryHandler<GetAccountQuery, AccountResponse> {
  private readonly columns: PersonalDataColumns;
  private readonly pool: Pool;

  constructor(read: ReadDatabase, store: PostgresEventStore) {
    this.pool = read.pool;
    this.columns = store.personalData.columns;
  }

  async execute({ accountId, ownedBy }: GetAccountQuery): Promise<AccountResponse> {
    // Raw prepared SQL: bench row "GET /accounts/:id over HTTP vs a bare Express route doing the same SELECT".
    const { rows } = await this.pool.query<Row>({
      name: 'chronicle_get_account',
      text: `SELECT b.id, b.owner_name AS "ownerName", b.currency, b.balance, b.version,
               to_char(b.opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "openedAt",
               to_char(b.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "updatedAt",
               k.subject_id IS NOT NULL AS "keyFound", k.wrapped_key AS "wrappedKey"
             FROM account_balances b LEFT JOIN personal_data_keys k ON k.subject_id = b.id::text
             WHERE b.id = $1 AND ($2::uuid IS NULL OR b.owner_id = $2::uuid)`,
      values: [accountId, ownedBy ?? null],
    });
    const [row] = rows;
    if (!row) throw new AccountNotFound(accountId);
    const key = row.keyFound ? row.wrappedKey : undefined;
    return {
      id: row.id,
      ownerName: this.columns.open(OWNER_NAME_COLUMN, row.id, row.ownerName, key) as string,
      currency: row.currency,
      balance: bigintAsNumber.from(row.balance),
      version: row.version,
      openedAt: row.openedAt,
      updatedAt: row.updatedAt,
    };
  }
}
