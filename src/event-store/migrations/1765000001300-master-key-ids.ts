import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The id of the master key that wrapped each key, as the wrapped bytes name it (format 2: version, then the 8-byte
 * id): computed by PostgreSQL, so no writer can store one that disagrees with the key. Keys wrapped before ids
 * existed (format 1) and tombstones have none: a rotation finds the former by trying every configured master key.
 * Indexed for the rotation's batches and the start-up check of the ids in use.
 */
export class MasterKeyIds1765000001300 implements MigrationInterface {
  name = 'MasterKeyIds1765000001300';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE personal_data_keys ADD COLUMN master_key_id text GENERATED ALWAYS AS (
         CASE WHEN get_byte(wrapped_key, 0) = 2 THEN encode(substring(wrapped_key FROM 2 FOR 8), 'hex') END
       ) STORED`,
    );
    await db.query(
      'CREATE INDEX personal_data_keys_by_master_key ON personal_data_keys (master_key_id, subject_id)',
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE personal_data_keys DROP COLUMN master_key_id');
  }
}
