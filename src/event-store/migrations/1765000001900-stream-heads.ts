import type { MigrationInterface, QueryRunner } from 'typeorm';

// The appends of several streams in one statement, each with its own expected version (null: any; 0: no
// stream). The head's row lock orders the writers of one stream: one that waited re-checks its expectation on
// the winner's row (READ COMMITTED re-evaluates an UPDATE's condition), and a failed append's head is read
// FOR SHARE, which sees the latest committed version. A failed append comes back as one row: its head, whether
// its first event id is stored (a retry?), and the log's last version (a head left behind by rows inserted
// around the store). In a function so that its plan is the generic one, made once per connection: the custom
// plans PostgreSQL would otherwise keep choosing (unnest of a known array looks cheaper) cost ~1 ms each.
/** The function's arguments and rows: the same in every version of it (each replaces the one before). */
export const APPEND_SIGNATURE = `chronicle_append(
        p_streams text[],
        p_expected int[],
        p_counts int[],
        p_first_ids uuid[],
        p_event_cmd int[],
        p_event_ord int[],
        p_event_ids uuid[],
        p_types text[],
        p_schema_versions smallint[],
        p_data text[],
        p_metadata text[]
      ) RETURNS TABLE (
        stream_id text, stream_version int, global_position bigint, recorded_at timestamptz,
        transaction_id text, stored_before boolean, logged int
      )`;

export const APPEND_FUNCTION_1900 = `
      CREATE FUNCTION ${APPEND_SIGNATURE} LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
      #variable_conflict use_column
      BEGIN
        RETURN QUERY
          WITH cmd AS (
            SELECT * FROM unnest(p_streams, p_expected, p_counts, p_first_ids)
              WITH ORDINALITY AS c(stream_id, expected, n, first_id, i)
          ), moved AS (
            UPDATE streams s SET version = s.version + c.n FROM cmd c
            WHERE s.stream_id = c.stream_id AND (c.expected IS NULL OR s.version = c.expected)
            RETURNING c.i, s.version - c.n AS base
          ), created AS (
            INSERT INTO streams (stream_id, version)
            SELECT c.stream_id, c.n FROM cmd c
            WHERE coalesce(c.expected, 0) = 0 AND c.i NOT IN (SELECT i FROM moved)
            ON CONFLICT (stream_id) DO NOTHING
            RETURNING stream_id
          ), head AS (
            SELECT i, base FROM moved
            UNION ALL SELECT c.i, 0 FROM created JOIN cmd c USING (stream_id)
          ), appended AS (
            INSERT INTO events (stream_id, stream_version, event_id, type, schema_version, data, metadata)
            SELECT c.stream_id, h.base + e.ord, e.event_id, e.type, e.schema_version, e.data::jsonb, e.metadata::jsonb
            FROM unnest(p_event_cmd, p_event_ord, p_event_ids, p_types, p_schema_versions, p_data, p_metadata)
              AS e(i, ord, event_id, type, schema_version, data, metadata)
            JOIN head h ON h.i = e.i JOIN cmd c ON c.i = e.i
            ORDER BY e.i, e.ord
            RETURNING stream_id, stream_version, global_position, recorded_at, transaction_id::text AS transaction_id
          )
          SELECT *, false AS stored_before, NULL::int AS logged FROM appended
          UNION ALL
          SELECT c.stream_id, cur.version, NULL, NULL, NULL,
            EXISTS (SELECT 1 FROM events x WHERE x.event_id = c.first_id),
            (SELECT max(x.stream_version) FROM events x WHERE x.stream_id = c.stream_id)
          FROM cmd c
          LEFT JOIN LATERAL (
            SELECT s.version FROM streams s
            WHERE s.stream_id = c.stream_id AND c.i NOT IN (SELECT i FROM head)
            FOR SHARE
          ) cur ON true
          WHERE c.i NOT IN (SELECT i FROM head);
      END $fn$`;

/**
 * Each stream's head in a row of its own: an append updates it with its expected version as the condition, so
 * writers of one stream queue on that row and a loser learns the winner's head from its own statement, without a
 * unique violation (which costs a connection through pg-pool).
 */
export class StreamHeads1765000001900 implements MigrationInterface {
  name = 'StreamHeads1765000001900';

  async up(db: QueryRunner): Promise<void> {
    // Room on each page for the new row version, so a head's update stays on its page (HOT, no index write).
    await db.query(`
      CREATE TABLE streams (
        stream_id text PRIMARY KEY,
        version int NOT NULL CHECK (version > 0)
      ) WITH (fillfactor = 50)`);
    await db.query(
      `INSERT INTO streams (stream_id, version)
       SELECT stream_id, max(stream_version) FROM events GROUP BY stream_id`,
    );
    await db.query(APPEND_FUNCTION_1900);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP FUNCTION chronicle_append');
    await db.query('DROP TABLE streams');
  }
}
