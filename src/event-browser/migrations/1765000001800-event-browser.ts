import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event browser's read models, folded from the whole log once: their projections start at position 0 (a
 * checkpoint row left by an earlier attempt is reset). No personal data: stream ids are ids, and a correlation id
 * is stored as its key (a UUID as it is, other text as its pseudonym).
 */
export class EventBrowser1765000001800 implements MigrationInterface {
  name = 'EventBrowser1765000001800';

  async up(db: QueryRunner): Promise<void> {
    // Collation "C": a prefix LIKE uses the primary key's index.
    await db.query(`
      CREATE TABLE stream_catalog (
        stream_id text COLLATE "C" PRIMARY KEY,
        category text COLLATE "C" NOT NULL,
        version int NOT NULL,
        last_type text NOT NULL,
        last_position bigint NOT NULL,
        updated_at timestamptz NOT NULL,
        types text[] NOT NULL
      )`);
    await db.query(
      'CREATE INDEX stream_catalog_by_category ON stream_catalog (category, stream_id)',
    );
    await db.query('CREATE INDEX stream_catalog_by_type ON stream_catalog USING gin (types)');
    await db.query(`
      CREATE TABLE correlation_events (
        correlation_key text NOT NULL,
        global_position bigint NOT NULL,
        stream_id text NOT NULL,
        PRIMARY KEY (correlation_key, global_position)
      )`);
    await db.query(
      `INSERT INTO projection_checkpoints (name, transaction_id, global_position, status)
       VALUES ('stream-catalog', '0', 0, 'catching-up'), ('correlation-events', '0', 0, 'catching-up')
       ON CONFLICT (name) DO UPDATE SET transaction_id = '0', global_position = 0, status = 'catching-up',
         last_error = NULL, updated_at = now()`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE IF EXISTS correlation_events');
    await db.query('DROP TABLE IF EXISTS stream_catalog');
    await db.query(
      `DELETE FROM projection_checkpoints WHERE name IN ('stream-catalog', 'correlation-events')`,
    );
  }
}
