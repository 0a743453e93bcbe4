import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One row per ItemRemoved: the report groups them per product over any range of days. */
@Entity('cart_item_removals')
@Index('cart_item_removals_by_day', ['removedOn'])
export class CartItemRemoval {
  @PrimaryColumn('uuid', { name: 'cart_id' })
  cartId: string;

  @PrimaryColumn('int', { name: 'stream_version' })
  streamVersion: number;

  @Column('text', { name: 'product_id' })
  productId: string;

  @Column('int')
  quantity: number;

  /** UTC day of the event's recorded time, YYYY-MM-DD. */
  @Column('date', { name: 'removed_on' })
  removedOn: string;

  @Column('timestamptz', { name: 'recorded_at' })
  recordedAt: Date;
}
