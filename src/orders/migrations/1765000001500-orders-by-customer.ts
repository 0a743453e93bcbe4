import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A customer's GET /orders pages through their own orders only. */
export class OrdersByCustomer1765000001500 implements MigrationInterface {
  name = 'OrdersByCustomer1765000001500';

  async up(db: QueryRunner): Promise<void> {
    await db.query('CREATE INDEX IF NOT EXISTS orders_by_customer ON orders (customer_id, seq)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX IF EXISTS orders_by_customer');
  }
}
