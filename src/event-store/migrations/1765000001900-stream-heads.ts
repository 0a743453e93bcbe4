import type { MigrationInterface, QueryRunner } from 'typeorm';

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
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE streams');
  }
}
