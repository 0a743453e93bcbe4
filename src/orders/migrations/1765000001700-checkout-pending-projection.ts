import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `checkout_pending` moves from the checkout saga to a projection of its own, `checkout-pending`: the table is
 * current up to the saga's checkpoint, so the projection starts there instead of folding the log again.
 */
export class CheckoutPendingProjection1765000001700 implements MigrationInterface {
  name = 'CheckoutPendingProjection1765000001700';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `INSERT INTO projection_checkpoints (name, transaction_id, global_position)
       SELECT 'checkout-pending', transaction_id, global_position FROM projection_checkpoints
       WHERE name = 'checkout-saga'
       ON CONFLICT (name) DO NOTHING`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM projection_checkpoints WHERE name = 'checkout-pending'`);
  }
}
