import { DataSource } from 'typeorm';
import { AccountBalance } from '../accounts/projections/account-balance.entity.js';
import { AccountTransaction } from '../accounts/projections/account-transaction.entity.js';
import { dataSourceOptions } from './database.options.js';

/** For the TypeORM CLI (migration:generate, migration:revert) against DATABASE_URL. */
export default new DataSource({
  ...dataSourceOptions(
    process.env.DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:54329/chronicle',
    2,
  ),
  entities: [AccountBalance, AccountTransaction],
  migrationsRun: false,
});
