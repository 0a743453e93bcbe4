import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Repository } from 'typeorm';
import { ReadDatabase } from '../../../database/read-database.js';
import { ORDER_VIEW_STATUSES, OrderView } from '../../projections/order-view.entity.js';
import { GetOrdersByStatusQuery } from './get-orders-by-status.query.js';
import type { OrderCountsResponse, OrdersByStatusReport } from './orders-by-status.response.js';

@QueryHandler(GetOrdersByStatusQuery)
export class GetOrdersByStatusHandler implements IQueryHandler<
  GetOrdersByStatusQuery,
  OrdersByStatusReport
> {
  private readonly orders: Repository<OrderView>;

  constructor(read: ReadDatabase) {
    this.orders = read.repository(OrderView);
  }

  async execute(): Promise<OrdersByStatusReport> {
    // One index-only pass over orders_by_status.
    const rows: Array<{ status: keyof OrderCountsResponse; count: number }> = await this.orders
      .createQueryBuilder('o')
      .select('o.status', 'status')
      .addSelect('count(*)::int', 'count')
      .groupBy('o.status')
      .getRawMany();
    const byStatus = Object.fromEntries(
      ORDER_VIEW_STATUSES.map((s) => [s, 0]),
    ) as unknown as OrderCountsResponse;
    for (const { status, count } of rows) byStatus[status] = count;
    return { total: rows.reduce((sum, r) => sum + r.count, 0), byStatus };
  }
}
