import type { MigrationInterface, QueryRunner } from 'typeorm';
import { deterministicUuid } from '../../event-store/index.js';

/**
 * Each claim of a key gets a command id of its own (a retry of the same request keeps it), and a request that
 * failed with a 5xx stays remembered as `failed` so its retry reuses that id.
 */
export class IdempotencyCommandIds1765000000000 implements MigrationInterface {
  name = 'IdempotencyCommandIds1765000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE idempotency_keys ADD COLUMN command_id uuid');
    await db.query('ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_state_check');
    await db.query(
      `ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_state_check
         CHECK (state IN ('pending', 'completed', 'failed'))`,
    );
    // A request cut off before this version derived its command id from the key: its retry must find that run.
    const pending = (await db.query(
      `SELECT key FROM idempotency_keys WHERE state = 'pending'`,
    )) as Array<{ key: string }>;
    for (const { key } of pending) {
      await db.query('UPDATE idempotency_keys SET command_id = $2 WHERE key = $1', [
        key,
        deterministicUuid('idempotency-key', key),
      ]);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM idempotency_keys WHERE state = 'failed'`);
    await db.query('ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_state_check');
    await db.query(
      `ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_state_check
         CHECK (state IN ('pending', 'completed'))`,
    );
    await db.query('ALTER TABLE idempotency_keys DROP COLUMN command_id');
  }
}
