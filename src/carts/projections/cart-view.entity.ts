import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../../shared/bigint.transformer.js';
import type { CartLine } from '../domain/cart.events.js';
import type { StoredShipping } from './sealed-shipping.js';

/** A cart as `GET /carts/:id` shows it: one row, its lines in the order they were first added. */
@Entity('carts')
@Index('carts_by_customer', ['customerId'])
@Check('carts_status_check', `status IN ('open', 'checked-out')`)
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

  /** Personal data of the customer, but the country: sealed under their key (see StoredShipping). */
  @Column('jsonb', { nullable: true })
  shipping: StoredShipping | null;

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
