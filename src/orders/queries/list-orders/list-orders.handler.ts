import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { OrderViewStatus } from '../../projections/orders.projection.js';
import { ListOrdersQuery } from './list-orders.query.js';
import type { OrdersPage } from './orders-page.response.js';

interface Row {
  id: string;
  seq: string;
  status: OrderViewStatus;
  customer_id: string;
  account_id: string;
  currency: string;
  total: string;
  placed_at: Date;
  updated_at: Date;
}

/** Keyset paging on the order's place in the log: a page costs the same however deep it is. */
@QueryHandler(ListOrdersQuery)
export class ListOrdersHandler implements IQueryHandler<ListOrdersQuery, OrdersPage> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute({ status, limit, after, ownedBy }: ListOrdersQuery): Promise<OrdersPage> {
    const rows: Row[] = await this.db.query(
      `SELECT id, seq, status, customer_id, account_id, currency, total, placed_at, updated_at FROM orders
       WHERE ($1::text IS NULL OR status = $1) AND ($4::uuid IS NULL OR customer_id = $4::uuid) AND seq > $2
       ORDER BY seq LIMIT $3`,
      [status ?? null, after, limit + 1, ownedBy ?? null],
    );
    const page = rows.slice(0, limit);
    return {
      items: page.map((row) => ({
        id: row.id,
        status: row.status,
        customerId: row.customer_id,
        accountId: row.account_id,
        currency: row.currency,
        total: Number(row.total),
        placedAt: row.placed_at.toISOString(),
        updatedAt: row.updated_at.toISOString(),
      })),
      nextCursor: rows.length > limit ? Number(page[page.length - 1].seq) : null,
    };
  }
}
