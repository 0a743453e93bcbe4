import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateIdempotencyKeys1763798400300 implements MigrationInterface {
  name = 'CreateIdempotencyKeys1763798400300';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE idempotency_keys (
        key text PRIMARY KEY,
        request_hash text NOT NULL,
        state text NOT NULL CHECK (state IN ('pending', 'completed')),
        status_code int,
        response_headers jsonb,
        response_body jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query('CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE idempotency_keys');
  }
}
