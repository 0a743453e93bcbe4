import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAccountReadModels1763798400200 implements MigrationInterface {
  name = 'CreateAccountReadModels1763798400200';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE account_balances (
        id uuid PRIMARY KEY,
        owner_name text NOT NULL,
        currency char(3) NOT NULL,
        balance bigint NOT NULL,
        version int NOT NULL,
        opened_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await db.query(`
      CREATE TABLE account_transactions (
        account_id uuid NOT NULL,
        stream_version int NOT NULL,
        global_position bigint NOT NULL,
        kind text NOT NULL CHECK (kind IN ('deposit', 'withdrawal', 'rejected-withdrawal')),
        amount bigint NOT NULL,
        balance_after bigint NOT NULL,
        description text,
        recorded_at timestamptz NOT NULL,
        PRIMARY KEY (account_id, stream_version)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE account_transactions');
    await db.query('DROP TABLE account_balances');
  }
}
