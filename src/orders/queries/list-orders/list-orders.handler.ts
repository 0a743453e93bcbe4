import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { MoreThan, type Repository } from 'typeorm';
import { ReadDatabase } from '../../../database/read-database.js';
import { OrderView } from '../../projections/order-view.entity.js';
import { ListOrdersQuery } from './list-orders.query.js';
import type { OrdersPage } from './orders-page.response.js';

/** Keyset paging on the order's place in the log: a page costs the same however deep it is. */
@QueryHandler(ListOrdersQuery)
export class ListOrdersHandler implements IQueryHandler<ListOrdersQuery, OrdersPage> {
  private readonly orders: Repository<OrderView>;

  constructor(read: ReadDatabase) {
    this.orders = read.repository(OrderView);
  }

  async execute({ filter }: ListOrdersQuery): Promise<OrdersPage> {
    const { status, limit, after, ownedBy } = filter;
    const rows = await this.orders.find({
      select: {
        id: true,
        seq: true,
        status: true,
        customerId: true,
        accountId: true,
        currency: true,
        total: true,
        placedAt: true,
        updatedAt: true,
      },
      where: {
        seq: MoreThan(after),
        ...(status && { status }),
        ...(ownedBy && { customerId: ownedBy }),
      },
      order: { seq: 'ASC' },
      take: limit + 1,
    });
    const page = rows.slice(0, limit);
    return {
      items: page.map((row) => ({
        id: row.id,
        status: row.status,
        customerId: row.customerId,
        accountId: row.accountId,
        currency: row.currency,
        total: row.total,
        placedAt: row.placedAt.toISOString(),
        updatedAt: row.updatedAt.toISOString(),
      })),
      nextCursor: rows.length > limit ? page[page.length - 1].seq : null,
    };
  }
}
