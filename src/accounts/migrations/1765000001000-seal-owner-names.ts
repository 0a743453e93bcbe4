import type { MigrationInterface, QueryRunner } from 'typeorm';
import { reprojectFromStart } from '../../projections/migrations/reproject-from-start.js';

/**
 * `account_balances.owner_name` holds the name sealed under the account's key (bytea; null once erased), so an
 * erasure no longer waits for the projection. A migration has no master key to seal the names in clear with:
 * the rows go, and the `accounts` projection folds the log again from the start, sealing as it writes (reads
 * answer 404 for an account it has not reached yet). Any rebuild copy in clear goes too.
 */
export class SealOwnerNames1765000001000 implements MigrationInterface {
  name = 'SealOwnerNames1765000001000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('DROP SCHEMA IF EXISTS chronicle_rebuild_accounts CASCADE');
    await db.query('TRUNCATE account_balances, account_transactions');
    await db.query(
      'ALTER TABLE account_balances ALTER COLUMN owner_name DROP NOT NULL, ALTER COLUMN owner_name TYPE bytea USING NULL',
    );
    await reprojectFromStart(db, 'accounts');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('TRUNCATE account_balances, account_transactions');
    await db.query(
      'ALTER TABLE account_balances ALTER COLUMN owner_name TYPE text USING NULL, ALTER COLUMN owner_name SET NOT NULL',
    );
    await reprojectFromStart(db, 'accounts');
  }
}
