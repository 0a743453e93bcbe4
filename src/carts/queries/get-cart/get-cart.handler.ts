import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { PersonalDataColumns } from '../../../event-store/personal-data-columns.js';
import { PostgresEventStore } from '../../../event-store/postgres-event-store.js';
import { bigintAsNumber } from '../../../shared/bigint.transformer.js';
import type { CartLine } from '../../domain/cart.events.js';
import { CartNotFound } from '../../domain/cart.errors.js';
import { openShipping, type StoredShipping } from '../../projections/sealed-shipping.js';
import type { CartResponse } from './cart.response.js';
import { GetCartQuery } from './get-cart.query.js';

interface Row {
  id: string;
  customer_id: string;
  status: CartResponse['status'];
  currency: string | null;
  items: CartLine[];
  total: string;
  shipping: StoredShipping | null;
  order_id: string | null;
  version: number;
  /** The customer's key row, read with the address so an erasure anywhere shows at once. */
  key_found: boolean;
  wrapped_key: Buffer | null;
}

@QueryHandler(GetCartQuery)
export class GetCartHandler implements IQueryHandler<GetCartQuery, CartResponse> {
  private readonly columns: PersonalDataColumns;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    store: PostgresEventStore,
  ) {
    this.columns = store.personalData.columns;
  }

  async execute({ cartId, ownedBy }: GetCartQuery): Promise<CartResponse> {
    const [cart] = (await this.db.query(
      `SELECT c.id, c.customer_id, c.status, c.currency, c.items, c.total, c.shipping, c.order_id, c.version,
         k.subject_id IS NOT NULL AS key_found, k.wrapped_key
       FROM carts c LEFT JOIN personal_data_keys k ON k.subject_id = c.shipping->>'subject'
       WHERE c.id = $1 AND ($2::uuid IS NULL OR c.customer_id = $2::uuid)`,
      [cartId, ownedBy ?? null],
    )) as Row[];
    if (!cart) throw new CartNotFound(cartId);
    const key = cart.key_found ? cart.wrapped_key : undefined;
    return {
      id: cart.id,
      customerId: cart.customer_id,
      status: cart.status,
      currency: cart.currency,
      items: cart.items.map((item) => ({ ...item, lineTotal: item.quantity * item.unitPrice })),
      total: bigintAsNumber.from(cart.total),
      version: cart.version,
      ...(cart.shipping && { shipping: openShipping(this.columns, cart.shipping, key) }),
      ...(cart.order_id && { orderId: cart.order_id }),
    };
  }
}
