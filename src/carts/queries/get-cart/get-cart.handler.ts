import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { DataSource } from 'typeorm';
import { ReadDatabase } from '../../../database/read-database.js';
import { type PersonalDataColumns, PostgresEventStore } from '../../../event-store/index.js';
import { CartNotFound } from '../../domain/cart.errors.js';
import { CartView } from '../../projections/cart-view.entity.js';
import { openShipping } from '../../projections/sealed-shipping.js';
import { ProductLineResponse } from '../../../shared/product-line.response.js';
import type { CartResponse } from './cart.response.js';
import { GetCartQuery } from './get-cart.query.js';

/** The customer's key row, read with the address so an erasure anywhere shows at once. */
interface KeyRow {
  key_found: boolean;
  wrapped_key: Buffer | null;
}

@QueryHandler(GetCartQuery)
export class GetCartHandler implements IQueryHandler<GetCartQuery, CartResponse> {
  private readonly columns: PersonalDataColumns;
  private readonly db: DataSource;

  constructor(read: ReadDatabase, store: PostgresEventStore) {
    this.db = read.dataSource;
    this.columns = store.personalData.columns;
  }

  async execute({ cartId, ownedBy }: GetCartQuery): Promise<CartResponse> {
    const query = this.db
      .getRepository(CartView)
      .createQueryBuilder('c')
      .leftJoin('personal_data_keys', 'k', "k.subject_id = c.shipping->>'subject'")
      .addSelect('k.subject_id IS NOT NULL', 'key_found')
      .addSelect('k.wrapped_key', 'wrapped_key')
      .where('c.id = :cartId', { cartId });
    if (ownedBy) query.andWhere('c.customer_id = :ownedBy', { ownedBy });
    const {
      entities: [cart],
      raw: [keyRow],
    } = (await query.getRawAndEntities()) as { entities: CartView[]; raw: KeyRow[] };
    if (!cart) throw new CartNotFound(cartId);
    const key = keyRow.key_found ? keyRow.wrapped_key : undefined;
    return {
      id: cart.id,
      customerId: cart.customerId,
      status: cart.status,
      currency: cart.currency,
      items: cart.items.map(ProductLineResponse.of),
      total: cart.total,
      version: cart.version,
      ...(cart.shipping && { shipping: openShipping(this.columns, cart.shipping, key) }),
      ...(cart.orderId && { orderId: cart.orderId }),
    };
  }
}
