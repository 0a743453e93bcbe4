import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Snapshots are kept, one row per snapshot taken (about one per SNAPSHOT_EVERY events), so time travel and the
 * history start from the nearest one at or before their target. `recorded_by`: the latest `recorded_at` of the
 * events the state reflects, so an `asOf` knows which snapshots lie wholly before it (NULL: unknown, not used).
 */
export class KeepSnapshotHistory1765000000600 implements MigrationInterface {
  name = 'KeepSnapshotHistory1765000000600';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE snapshots
        DROP CONSTRAINT snapshots_pkey,
        ADD PRIMARY KEY (stream_id, stream_version),
        ADD COLUMN recorded_by timestamptz`);
    await db.query(`
      UPDATE snapshots s SET recorded_by = e.recorded_by
      FROM (SELECT s2.stream_id, max(ev.recorded_at) AS recorded_by, count(*) AS n, s2.stream_version
            FROM snapshots s2 JOIN events ev
              ON ev.stream_id = s2.stream_id AND ev.stream_version <= s2.stream_version
            GROUP BY s2.stream_id, s2.stream_version) e
      WHERE e.stream_id = s.stream_id AND e.stream_version = s.stream_version
        AND e.n = s.stream_version`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DELETE FROM snapshots s USING snapshots newer
      WHERE newer.stream_id = s.stream_id AND newer.stream_version > s.stream_version`);
    await db.query(`
      ALTER TABLE snapshots
        DROP COLUMN recorded_by,
        DROP CONSTRAINT snapshots_pkey,
        ADD PRIMARY KEY (stream_id)`);
  }
}
