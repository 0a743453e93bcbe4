import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../../shared/bigint.transformer.js';
import type { CartLine, ShippingAddress } from '../domain/cart.events.js';

/** A cart as `GET /carts/:id` shows it: one row, its lines in the order they were first added. */
@Entity('carts')
export class CartView {
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid', { name: 'customer_id' })
  customerId: string;

  @Column('text')
  status: 'open' | 'checked-out';

  /** Null until the first item is added. */
  @Column('char', { length: 3, nullable: true })
  currency: string | null;

  @Column('jsonb')
  items: CartLine[];

  /** Minor units. */
  @Column('bigint', { transformer: bigintAsNumber })
  total: number;

  /** As the events carry it: personal data of the customer, but the country; `[erased]` once they are erased. */
  @Column('jsonb', { nullable: true })
  shipping: ShippingAddress | null;

  @Column('uuid', { name: 'order_id', nullable: true })
  orderId: string | null;

  /** The cart stream's version this row reflects. */
  @Column('int')
  version: number;

  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt: Date;
}
