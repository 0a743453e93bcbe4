import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateEvents1763798400000 implements MigrationInterface {
  name = 'CreateEvents1763798400000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE events (
        global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        stream_id text NOT NULL,
        stream_version int NOT NULL CHECK (stream_version > 0),
        event_id uuid NOT NULL,
        type text NOT NULL,
        schema_version smallint NOT NULL DEFAULT 1,
        data jsonb NOT NULL,
        metadata jsonb NOT NULL DEFAULT '{}',
        recorded_at timestamptz NOT NULL DEFAULT now(),
        transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        CONSTRAINT events_event_id_key UNIQUE (event_id),
        CONSTRAINT events_stream_id_stream_version_key UNIQUE (stream_id, stream_version)
      )`);
    await db.query(
      `CREATE INDEX events_commit_order_idx ON events (transaction_id, global_position)`,
    );
    await db.query(`
      CREATE FUNCTION events_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'events are immutable: % is not allowed', TG_OP;
      END $$`);
    await db.query(`
      CREATE TRIGGER events_immutable BEFORE UPDATE OR DELETE ON events
      FOR EACH ROW EXECUTE FUNCTION events_are_immutable()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE events');
    await db.query('DROP FUNCTION events_are_immutable()');
  }
}
