import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateShipping1763798420100 implements MigrationInterface {
  name = 'CreateShipping1763798420100';

  async up(db: QueryRunner): Promise<void> {
    // The idempotent consumers' memory: a message id is recorded in the transaction of its effect.
    await db.query(`
      CREATE TABLE processed_messages (
        consumer text NOT NULL,
        message_id uuid NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, message_id)
      )`);
    await db.query(`
      CREATE TABLE shipments (
        id uuid PRIMARY KEY,
        order_id uuid NOT NULL UNIQUE,
        status text NOT NULL CHECK (status IN ('awaiting-dispatch', 'dispatched')),
        version int NOT NULL,
        created_at timestamptz NOT NULL,
        dispatched_at timestamptz
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE shipments');
    await db.query('DROP TABLE processed_messages');
  }
}
