import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../../shared/bigint.transformer.js';
import type { OrderLine } from '../domain/order.events.js';

export type OrderViewStatus = 'placed' | 'paid' | 'awaiting-shipment' | 'shipped' | 'cancelled';

export const ORDER_VIEW_STATUSES: readonly OrderViewStatus[] = [
  'placed',
  'paid',
  'awaiting-shipment',
  'shipped',
  'cancelled',
];

/** An order as `GET /orders/:id` shows it; no shipping address: that personal data stays in the order's stream. */
@Entity('orders')
@Index('orders_by_seq', ['seq'], { unique: true })
@Index('orders_by_status', ['status', 'seq'])
@Index('orders_by_customer', ['customerId', 'seq'])
@Check(
  'orders_status_check',
  `status IN ('placed', 'paid', 'awaiting-shipment', 'shipped', 'cancelled')`,
)
export class OrderView {
  @PrimaryColumn('uuid')
  id: string;

  /** The global position of OrderPlaced: the key of keyset paging. */
  @Column('bigint', { transformer: bigintAsNumber })
  seq: number;

  @Column('uuid', { name: 'cart_id' })
  cartId: string;

  @Column('uuid', { name: 'customer_id' })
  customerId: string;

  @Column('uuid', { name: 'account_id' })
  accountId: string;

  @Column('text')
  status: OrderViewStatus;

  @Column('char', { length: 3 })
  currency: string;

  /** Minor units. */
  @Column('bigint', { transformer: bigintAsNumber })
  total: number;

  @Column('jsonb')
  lines: OrderLine[];

  @Column('bigint', { name: 'paid_amount', nullable: true, transformer: bigintAsNumber })
  paidAmount: number | null;

  @Column('bigint', { name: 'withdrawal_position', nullable: true, transformer: bigintAsNumber })
  withdrawalPosition: number | null;

  @Column('timestamptz', { name: 'paid_at', nullable: true })
  paidAt: Date | null;

  @Column('uuid', { name: 'shipment_id', nullable: true })
  shipmentId: string | null;

  @Column('timestamptz', { name: 'shipped_at', nullable: true })
  shippedAt: Date | null;

  @Column('text', { name: 'cancellation_reason', nullable: true })
  cancellationReason: string | null;

  @Column('text', { name: 'cancellation_detail', nullable: true })
  cancellationDetail: string | null;

  @Column('timestamptz', { name: 'cancelled_at', nullable: true })
  cancelledAt: Date | null;

  /** The order stream's version this row reflects. */
  @Column('int')
  version: number;

  @Column('timestamptz', { name: 'placed_at' })
  placedAt: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt: Date;
}
