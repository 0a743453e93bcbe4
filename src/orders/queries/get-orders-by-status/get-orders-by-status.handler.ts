import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ORDER_VIEW_STATUSES } from '../../projections/orders.projection.js';
import { GetOrdersByStatusQuery } from './get-orders-by-status.query.js';
import type { OrderCountsResponse, OrdersByStatusReport } from './orders-by-status.response.js';

@QueryHandler(GetOrdersByStatusQuery)
export class GetOrdersByStatusHandler implements IQueryHandler<
  GetOrdersByStatusQuery,
  OrdersByStatusReport
> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute(): Promise<OrdersByStatusReport> {
    // One index-only pass over orders_by_status.
    const rows: Array<{ status: keyof OrderCountsResponse; count: number }> = await this.db.query(
      'SELECT status, count(*)::int AS count FROM orders GROUP BY status',
    );
    const byStatus = Object.fromEntries(
      ORDER_VIEW_STATUSES.map((s) => [s, 0]),
    ) as unknown as OrderCountsResponse;
    for (const { status, count } of rows) byStatus[status] = count;
    return { total: rows.reduce((sum, r) => sum + r.count, 0), byStatus };
  }
}
