import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An erasure destroys the live keys of every spelling of its subject (ids were once stored as the client cased
 * them): found by this index, live keys only.
 */
export class PersonalDataKeysByLowerSubject1765000001200 implements MigrationInterface {
  name = 'PersonalDataKeysByLowerSubject1765000001200';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE INDEX personal_data_keys_by_lower_subject ON personal_data_keys (lower(subject_id))
       WHERE wrapped_key IS NOT NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX personal_data_keys_by_lower_subject');
  }
}
