import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateProjectionCheckpoints1763798400100 implements MigrationInterface {
  name = 'CreateProjectionCheckpoints1763798400100';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE projection_checkpoints (
        name text PRIMARY KEY,
        transaction_id xid8 NOT NULL DEFAULT '0',
        global_position bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE projection_checkpoints');
  }
}
