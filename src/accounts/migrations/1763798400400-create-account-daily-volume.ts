import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAccountDailyVolume1763798400400 implements MigrationInterface {
  name = 'CreateAccountDailyVolume1763798400400';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE account_daily_volume (
        day date NOT NULL,
        currency char(3) NOT NULL,
        deposit_count int NOT NULL DEFAULT 0,
        deposit_sum bigint NOT NULL DEFAULT 0,
        withdrawal_count int NOT NULL DEFAULT 0,
        withdrawal_sum bigint NOT NULL DEFAULT 0,
        rejected_count int NOT NULL DEFAULT 0,
        PRIMARY KEY (day, currency)
      )`);
    // The projection's own account -> currency lookup, so it never reads another projection's tables.
    await db.query(`
      CREATE TABLE account_daily_volume_currencies (
        account_id uuid PRIMARY KEY,
        currency char(3) NOT NULL
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE account_daily_volume_currencies');
    await db.query('DROP TABLE account_daily_volume');
  }
}
