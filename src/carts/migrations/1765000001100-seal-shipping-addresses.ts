import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `carts.shipping` holds the address sealed under the customer's key (`{country, subject, sealed}`), so an
 * erasure no longer waits for the projection. A migration has no master key to seal the addresses in clear with:
 * the rows go, and the `carts` projection folds the log again from the start, sealing as it writes (reads answer
 * 404 for a cart it has not reached yet). Any rebuild copy in clear goes too.
 */
export class SealShippingAddresses1765000001100 implements MigrationInterface {
  name = 'SealShippingAddresses1765000001100';

  async up(db: QueryRunner): Promise<void> {
    await db.query('DROP SCHEMA IF EXISTS chronicle_rebuild_carts CASCADE');
    await db.query('TRUNCATE carts');
    await reprojectFromStart(db, 'carts');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('TRUNCATE carts');
    await reprojectFromStart(db, 'carts');
  }
}

/** The projection starts over from the first event, like a rebuild: its open dead letters count as retried. */
async function reprojectFromStart(db: QueryRunner, projection: string): Promise<void> {
  await db.query(
    `UPDATE projection_checkpoints SET transaction_id = '0', global_position = 0, status = 'catching-up',
       last_error = NULL, started_at = now(), updated_at = now()
     WHERE name = $1`,
    [projection],
  );
  await db.query('DELETE FROM projection_checkpoints WHERE name = $1', [`${projection}:rebuild`]);
  await db.query(
    `UPDATE projection_dead_letters SET resolution = 'retried', resolved_at = now()
     WHERE projection = $1 AND resolution IS NULL`,
    [projection],
  );
}
