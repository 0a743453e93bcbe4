import type { MigrationInterface, QueryRunner } from 'typeorm';

/** What operating projections needs: a persisted status and the dead letters of events a handler could not apply. */
export class ProjectionOperations1763798400500 implements MigrationInterface {
  name = 'ProjectionOperations1763798400500';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE projection_checkpoints
        ADD COLUMN status text NOT NULL DEFAULT 'catching-up'
          CHECK (status IN ('catching-up', 'live', 'rebuilding', 'failed')),
        ADD COLUMN last_error text,
        ADD COLUMN started_at timestamptz NOT NULL DEFAULT now()`);
    await db.query(`
      CREATE TABLE projection_dead_letters (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        projection text NOT NULL,
        event_id uuid NOT NULL,
        global_position bigint NOT NULL,
        transaction_id xid8 NOT NULL,
        event_type text NOT NULL,
        error text NOT NULL,
        attempts int NOT NULL,
        failed_at timestamptz NOT NULL DEFAULT now(),
        resolution text CHECK (resolution IN ('retried', 'skipped')),
        resolved_at timestamptz
      )`);
    await db.query(
      `CREATE INDEX projection_dead_letters_open_idx ON projection_dead_letters (projection)
       WHERE resolution IS NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE projection_dead_letters');
    await db.query(
      'ALTER TABLE projection_checkpoints DROP COLUMN status, DROP COLUMN last_error, DROP COLUMN started_at',
    );
  }
}
