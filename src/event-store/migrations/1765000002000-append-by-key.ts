import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APPEND_FUNCTION_1900, APPEND_SIGNATURE } from './1765000001900-stream-heads.js';

/**
 * `chronicle_append` as statements by key, one stream at a time, in place of one statement of joined CTEs: about
 * half its time per call. Its plans are made once per connection, often while the tables are still empty (a new
 * database, a truncated one), when a sequential scan of `streams` looks cheapest and then grows with the table:
 * every access here is by key, so sequential scans are off inside it. Same arguments, rows and decisions as before
 * (docs/architecture.md, "Append").
 */
export class AppendByKey1765000002000 implements MigrationInterface {
  name = 'AppendByKey1765000002000';

  async up(db: QueryRunner): Promise<void> {
    // A failed append (its base stays null) comes back as one row: its head read FOR SHARE (the latest committed
    // version), whether its first event id is stored (a retry?), and the log's last version (a head left behind by
    // rows inserted around the store). Expected 0 cannot match a head (versions start at 1): no UPDATE for it.
    await db.query(`
      CREATE OR REPLACE FUNCTION ${APPEND_SIGNATURE} LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $fn$
      #variable_conflict use_column
      DECLARE
        base int[] := array_fill(NULL::int, ARRAY[cardinality(p_streams)]);
        found_base int;
      BEGIN
        FOR i IN 1..cardinality(p_streams) LOOP
          found_base := NULL;
          IF p_expected[i] IS DISTINCT FROM 0 THEN
            UPDATE streams s SET version = s.version + p_counts[i]
            WHERE s.stream_id = p_streams[i] AND (p_expected[i] IS NULL OR s.version = p_expected[i])
            RETURNING s.version - p_counts[i] INTO found_base;
          END IF;
          IF found_base IS NULL AND coalesce(p_expected[i], 0) = 0 THEN
            INSERT INTO streams AS s (stream_id, version) VALUES (p_streams[i], p_counts[i])
            ON CONFLICT (stream_id) DO NOTHING
            RETURNING 0 INTO found_base;
          END IF;
          base[i] := found_base;
        END LOOP;
        RETURN QUERY
          INSERT INTO events AS ev (stream_id, stream_version, event_id, type, schema_version, data, metadata)
          SELECT p_streams[e.i], base[e.i] + e.ord, e.event_id, e.type, e.schema_version, e.data::jsonb,
            e.metadata::jsonb
          FROM unnest(p_event_cmd, p_event_ord, p_event_ids, p_types, p_schema_versions, p_data, p_metadata)
            AS e(i, ord, event_id, type, schema_version, data, metadata)
          WHERE base[e.i] IS NOT NULL
          ORDER BY e.i, e.ord
          RETURNING ev.stream_id, ev.stream_version, ev.global_position, ev.recorded_at, ev.transaction_id::text,
            false, NULL::int;
        RETURN QUERY
          SELECT p_streams[i],
            (SELECT s.version FROM streams s WHERE s.stream_id = p_streams[i] FOR SHARE),
            NULL::bigint, NULL::timestamptz, NULL::text,
            EXISTS (SELECT 1 FROM events x WHERE x.event_id = p_first_ids[i]),
            (SELECT max(x.stream_version) FROM events x WHERE x.stream_id = p_streams[i])
          FROM generate_subscripts(p_streams, 1) AS i
          WHERE base[i] IS NULL;
      END $fn$`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(APPEND_FUNCTION_1900.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION'));
  }
}
