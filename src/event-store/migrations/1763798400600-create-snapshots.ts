import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The latest snapshot of each stream; a cache of a fold, never a source of truth. */
export class CreateSnapshots1763798400600 implements MigrationInterface {
  name = 'CreateSnapshots1763798400600';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE snapshots (
        stream_id text PRIMARY KEY,
        stream_version int NOT NULL CHECK (stream_version > 0),
        state_version int NOT NULL,
        state jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE snapshots');
  }
}
