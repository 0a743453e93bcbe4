import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who owns each account, for the reads a customer may make of their own only. The rows already there were
 * projected from AccountOpened events stored before accounts had owners, which read as owner null (staff only):
 * NULL is what a re-projection would write, so none is needed. Not indexed: reads go by id.
 */
export class AccountOwners1765000001400 implements MigrationInterface {
  name = 'AccountOwners1765000001400';

  async up(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE account_balances ADD COLUMN owner_id uuid');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE account_balances DROP COLUMN owner_id');
  }
}
