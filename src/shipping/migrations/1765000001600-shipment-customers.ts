import type { MigrationInterface, QueryRunner } from 'typeorm';
import { shadowSchemaOf } from '../../projections/index.js';

/**
 * `shipments.customer_id`: whose order a shipment is, so GET /shipments/{id} answers only them (and staff). No
 * shipment event names the customer: it is the one of the order's OrderPlaced, which the projection looks up, and
 * this migration fills it in for the rows already there from the same events, so nothing is re-projected. A rebuild
 * in progress gets the column and the fill too, and carries on.
 */
export class ShipmentCustomers1765000001600 implements MigrationInterface {
  name = 'ShipmentCustomers1765000001600';

  async up(db: QueryRunner): Promise<void> {
    for (const schema of ['public', shadowSchemaOf('shipments')]) {
      const [{ found }] = (await db.query(`SELECT to_regclass($1) IS NOT NULL AS found`, [
        `${schema}.shipments`,
      ])) as Array<{ found: boolean }>;
      if (!found) continue;
      await db.query(`ALTER TABLE ${schema}.shipments ADD COLUMN customer_id uuid`);
      await db.query(
        `UPDATE ${schema}.shipments s SET customer_id = (e.data->>'customerId')::uuid
         FROM events e WHERE e.stream_id = 'order-' || s.order_id AND e.type = 'OrderPlaced'`,
      );
    }
  }

  async down(db: QueryRunner): Promise<void> {
    for (const schema of ['public', shadowSchemaOf('shipments')])
      await db.query(`ALTER TABLE IF EXISTS ${schema}.shipments DROP COLUMN IF EXISTS customer_id`);
  }
}
