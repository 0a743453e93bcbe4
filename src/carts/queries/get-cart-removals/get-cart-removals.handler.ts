import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Repository } from 'typeorm';
import { ReadDatabase } from '../../../database/read-database.js';
import { bigintAsNumber } from '../../../shared/bigint.transformer.js';
import { CartItemRemoval } from '../../projections/cart-item-removal.entity.js';
import type { CartRemovalsReport } from './cart-removals.response.js';
import { GetCartRemovalsQuery } from './get-cart-removals.query.js';

@QueryHandler(GetCartRemovalsQuery)
export class GetCartRemovalsHandler implements IQueryHandler<
  GetCartRemovalsQuery,
  CartRemovalsReport
> {
  private readonly removals: Repository<CartItemRemoval>;

  constructor(read: ReadDatabase) {
    this.removals = read.repository(CartItemRemoval);
  }

  async execute({ from, to, limit }: GetCartRemovalsQuery): Promise<CartRemovalsReport> {
    const rows: Array<{ productId: string; removals: number; quantity: string; carts: number }> =
      await this.removals
        .createQueryBuilder('r')
        .select('r.product_id', 'productId')
        .addSelect('count(*)::int', 'removals')
        .addSelect('sum(r.quantity)', 'quantity')
        .addSelect('count(DISTINCT r.cart_id)::int', 'carts')
        .where('r.removed_on BETWEEN :from AND :to', { from, to })
        .groupBy('r.product_id')
        .orderBy('removals', 'DESC')
        .addOrderBy('quantity', 'DESC')
        .addOrderBy('r.product_id COLLATE "C"')
        .limit(limit)
        .getRawMany();
    const products = rows.map(({ productId, removals, quantity, carts }) => ({
      productId,
      removals,
      quantityRemoved: bigintAsNumber.from(quantity) as number,
      carts,
    }));
    return { from, to, products };
  }
}
