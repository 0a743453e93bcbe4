import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { bigintAsNumber } from '../../../shared/bigint.transformer.js';
import type { CartRemovalsReport } from './cart-removals.response.js';
import { GetCartRemovalsQuery } from './get-cart-removals.query.js';

@QueryHandler(GetCartRemovalsQuery)
export class GetCartRemovalsHandler implements IQueryHandler<
  GetCartRemovalsQuery,
  CartRemovalsReport
> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute({ from, to, limit }: GetCartRemovalsQuery): Promise<CartRemovalsReport> {
    const rows: Array<{ productId: string; removals: number; quantity: string; carts: number }> =
      await this.db.query(
        `SELECT product_id AS "productId", count(*)::int AS removals, sum(quantity) AS quantity,
                count(DISTINCT cart_id)::int AS carts
         FROM cart_item_removals WHERE removed_on BETWEEN $1 AND $2
         GROUP BY product_id
         ORDER BY removals DESC, quantity DESC, product_id COLLATE "C"
         LIMIT $3`,
        [from, to, limit],
      );
    const products = rows.map(({ productId, removals, quantity, carts }) => ({
      productId,
      removals,
      quantityRemoved: bigintAsNumber.from(quantity) as number,
      carts,
    }));
    return { from, to, products };
  }
}
