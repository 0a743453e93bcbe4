import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One data key per subject of personal data, wrapped with the master key. Erasing a subject sets its key to NULL
 * and keeps the row as a tombstone: its data reads as erased and no new personal data of it is accepted.
 */
export class CreatePersonalDataKeys1763798400700 implements MigrationInterface {
  name = 'CreatePersonalDataKeys1763798400700';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE personal_data_keys (
        subject_id text PRIMARY KEY,
        wrapped_key bytea,
        created_at timestamptz NOT NULL DEFAULT now(),
        erased_at timestamptz,
        CONSTRAINT personal_data_keys_held_or_erased CHECK ((wrapped_key IS NULL) = (erased_at IS NOT NULL))
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE personal_data_keys');
  }
}
