import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Events of a command that carry its own id as their correlation id, ids derived from it (the same
 * millisecond prefix, see commandEventId): the log finds them by that prefix, the correlation index need not.
 */
const FOUND_BY_THE_LOG = `e.metadata->>'correlationId' = e.metadata->>'commandId'
  AND e.metadata->>'commandId' ~ '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$'
  AND left(e.event_id::text, 13) = left(e.metadata->>'commandId', 13)`;

/**
 * The event browser writes only what the log cannot answer by itself: the stream catalog keeps a stream's
 * category and types (its head is read from the log), and the correlation index skips a command's own events.
 */
export class EventBrowserReadsTheLog1765000002100 implements MigrationInterface {
  name = 'EventBrowserReadsTheLog1765000002100';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE stream_catalog
         DROP COLUMN version, DROP COLUMN last_type, DROP COLUMN last_position, DROP COLUMN updated_at`,
    );
    await db.query(
      `DELETE FROM correlation_events c USING events e
       WHERE e.global_position = c.global_position AND c.correlation_key = e.metadata->>'commandId'
         AND ${FOUND_BY_THE_LOG}`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE stream_catalog
         ADD COLUMN version int, ADD COLUMN last_type text, ADD COLUMN last_position bigint,
         ADD COLUMN updated_at timestamptz`,
    );
    await db.query(
      `UPDATE stream_catalog c
       SET version = h.stream_version, last_type = h.type, last_position = h.global_position,
         updated_at = h.recorded_at
       FROM (SELECT DISTINCT ON (stream_id) stream_id, stream_version, type, global_position, recorded_at
             FROM events ORDER BY stream_id, stream_version DESC) h
       WHERE h.stream_id = c.stream_id`,
    );
    await db.query('DELETE FROM stream_catalog WHERE version IS NULL');
    await db.query(
      `ALTER TABLE stream_catalog
         ALTER COLUMN version SET NOT NULL, ALTER COLUMN last_type SET NOT NULL,
         ALTER COLUMN last_position SET NOT NULL, ALTER COLUMN updated_at SET NOT NULL`,
    );
    await db.query(
      `INSERT INTO correlation_events (correlation_key, global_position, stream_id)
       SELECT e.metadata->>'commandId', e.global_position, e.stream_id FROM events e WHERE ${FOUND_BY_THE_LOG}
       ON CONFLICT DO NOTHING`,
    );
  }
}
