import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A balance row is rewritten on every batch that touches its account. With room left in each page, PostgreSQL
 * writes the new row version next to the old one (a HOT update: no index entry, pruned in place) instead of on
 * another page with a new primary-key entry. Rebuilds copy the setting to their shadow tables.
 */
export class AccountBalancesFillfactor1763798400800 implements MigrationInterface {
  name = 'AccountBalancesFillfactor1763798400800';

  async up(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE account_balances SET (fillfactor = 50)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE account_balances RESET (fillfactor)');
  }
}
