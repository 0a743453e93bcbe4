import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateCartReadModels1763798410000 implements MigrationInterface {
  name = 'CreateCartReadModels1763798410000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE carts (
        id uuid PRIMARY KEY,
        customer_id uuid NOT NULL,
        status text NOT NULL CHECK (status IN ('open', 'checked-out')),
        currency char(3),
        items jsonb NOT NULL,
        total bigint NOT NULL,
        shipping jsonb,
        order_id uuid,
        version int NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    // Erasing a customer's personal data finds their carts by it.
    await db.query('CREATE INDEX carts_by_customer ON carts (customer_id)');
    await db.query(`
      CREATE TABLE cart_item_removals (
        cart_id uuid NOT NULL,
        stream_version int NOT NULL,
        product_id text NOT NULL,
        quantity int NOT NULL,
        removed_on date NOT NULL,
        recorded_at timestamptz NOT NULL,
        PRIMARY KEY (cart_id, stream_version)
      )`);
    await db.query('CREATE INDEX cart_item_removals_by_day ON cart_item_removals (removed_on)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE cart_item_removals');
    await db.query('DROP TABLE carts');
  }
}
