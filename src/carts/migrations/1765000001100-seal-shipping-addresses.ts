import type { MigrationInterface, QueryRunner } from 'typeorm';
import { reprojectFromStart } from '../../projections/migrations/reproject-from-start.js';

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
