import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateOrders1763798420000 implements MigrationInterface {
  name = 'CreateOrders1763798420000';

  async up(db: QueryRunner): Promise<void> {
    // `seq`: the global position of OrderPlaced, the key of keyset paging. No shipping address: that personal
    // data stays in the order's stream.
    await db.query(`
      CREATE TABLE orders (
        id uuid PRIMARY KEY,
        seq bigint NOT NULL,
        cart_id uuid NOT NULL,
        customer_id uuid NOT NULL,
        account_id uuid NOT NULL,
        status text NOT NULL
          CHECK (status IN ('placed', 'paid', 'awaiting-shipment', 'shipped', 'cancelled')),
        currency char(3) NOT NULL,
        total bigint NOT NULL,
        lines jsonb NOT NULL,
        paid_amount bigint,
        withdrawal_position bigint,
        paid_at timestamptz,
        shipment_id uuid,
        shipped_at timestamptz,
        cancellation_reason text,
        cancellation_detail text,
        cancelled_at timestamptz,
        version int NOT NULL,
        placed_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await db.query('CREATE UNIQUE INDEX orders_by_seq ON orders (seq)');
    await db.query('CREATE INDEX orders_by_status ON orders (status, seq)');
    // The checkout sagas' requests still unanswered: what their timer looks at.
    await db.query(`
      CREATE TABLE checkout_pending (
        order_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('payment', 'refund')),
        due_at timestamptz,
        requested_at timestamptz NOT NULL,
        PRIMARY KEY (order_id, kind)
      )`);
    await db.query('CREATE INDEX checkout_pending_by_due ON checkout_pending (due_at)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE checkout_pending');
    await db.query('DROP TABLE orders');
  }
}
