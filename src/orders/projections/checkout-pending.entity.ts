import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A checkout saga's request still unanswered: what its timer looks at. Written by the saga from its own events. */
@Entity('checkout_pending')
@Index('checkout_pending_by_due', ['dueAt'])
@Check('checkout_pending_kind_check', `kind IN ('payment', 'refund')`)
export class CheckoutPending {
  @PrimaryColumn('uuid', { name: 'order_id' })
  orderId: string;

  @PrimaryColumn('text')
  kind: 'payment' | 'refund';

  /** When the timer gives up waiting; null: never. */
  @Column('timestamptz', { name: 'due_at', nullable: true })
  dueAt: Date | null;

  @Column('timestamptz', { name: 'requested_at' })
  requestedAt: Date;
}
