import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Repository } from 'typeorm';
import { ReadDatabase } from '../../../database/read-database.js';
import { OrderNotFound } from '../../domain/order.errors.js';
import { OrderView } from '../../projections/order-view.entity.js';
import { GetOrderQuery } from './get-order.query.js';
import { ProductLineResponse } from '../../../shared/product-line.response.js';
import type { OrderResponse } from './order.response.js';

@QueryHandler(GetOrderQuery)
export class GetOrderHandler implements IQueryHandler<GetOrderQuery, OrderResponse> {
  private readonly orders: Repository<OrderView>;

  constructor(read: ReadDatabase) {
    this.orders = read.repository(OrderView);
  }

  async execute({ orderId, ownedBy }: GetOrderQuery): Promise<OrderResponse> {
    const row = await this.orders.findOneBy({
      id: orderId,
      ...(ownedBy && { customerId: ownedBy }),
    });
    if (!row) throw new OrderNotFound(orderId);
    return {
      id: row.id,
      cartId: row.cartId,
      customerId: row.customerId,
      accountId: row.accountId,
      status: row.status,
      currency: row.currency,
      lines: row.lines.map(ProductLineResponse.of),
      total: row.total,
      version: row.version,
      placedAt: row.placedAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
      ...(row.paidAt && {
        payment: {
          amount: row.paidAmount!,
          paidAt: row.paidAt.toISOString(),
          ...(row.withdrawalPosition && { withdrawalPosition: row.withdrawalPosition }),
        },
      }),
      ...(row.shipmentId && {
        shipment: {
          id: row.shipmentId,
          href: `/shipments/${row.shipmentId}`,
          ...(row.shippedAt && { shippedAt: row.shippedAt.toISOString() }),
        },
      }),
      ...(row.cancelledAt && {
        cancellation: {
          reason: row.cancellationReason!,
          ...(row.cancellationDetail && { detail: row.cancellationDetail }),
          cancelledAt: row.cancelledAt.toISOString(),
        },
      }),
    };
  }
}
