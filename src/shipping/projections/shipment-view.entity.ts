import { Check, Column, Entity, PrimaryColumn, Unique } from 'typeorm';

export type ShipmentStatus = 'awaiting-dispatch' | 'dispatched';

/** A shipment as `GET /shipments/:id` shows it. */
@Entity('shipments')
@Unique('shipments_order_id_key', ['orderId'])
@Check('shipments_status_check', `status IN ('awaiting-dispatch', 'dispatched')`)
export class ShipmentView {
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid', { name: 'order_id' })
  orderId: string;

  @Column('text')
  status: ShipmentStatus;

  /** The shipment stream's version this row reflects. */
  @Column('int')
  version: number;

  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;

  @Column('timestamptz', { name: 'dispatched_at', nullable: true })
  dispatchedAt: Date | null;

  /** The customer of the order; null only if its OrderPlaced cannot be found (then staff alone see it). */
  @Column('uuid', { name: 'customer_id', nullable: true })
  customerId: string | null;
}
