import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { OrderNotFound } from '../../domain/order.errors.js';
import type { OrderLine } from '../../domain/order.events.js';
import type { OrderViewStatus } from '../../projections/orders.projection.js';
import { GetOrderQuery } from './get-order.query.js';
import type { OrderResponse } from './order.response.js';

interface Row {
  id: string;
  cart_id: string;
  customer_id: string;
  account_id: string;
  status: OrderViewStatus;
  currency: string;
  total: string;
  lines: OrderLine[];
  paid_amount: string | null;
  withdrawal_position: string | null;
  paid_at: Date | null;
  shipment_id: string | null;
  shipped_at: Date | null;
  cancellation_reason: string | null;
  cancellation_detail: string | null;
  cancelled_at: Date | null;
  version: number;
  placed_at: Date;
  updated_at: Date;
}

@QueryHandler(GetOrderQuery)
export class GetOrderHandler implements IQueryHandler<GetOrderQuery, OrderResponse> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute({ orderId, ownedBy }: GetOrderQuery): Promise<OrderResponse> {
    const [row]: Row[] = await this.db.query(
      'SELECT * FROM orders WHERE id = $1 AND ($2::uuid IS NULL OR customer_id = $2::uuid)',
      [orderId, ownedBy ?? null],
    );
    if (!row) throw new OrderNotFound(orderId);
    return {
      id: row.id,
      cartId: row.cart_id,
      customerId: row.customer_id,
      accountId: row.account_id,
      status: row.status,
      currency: row.currency,
      lines: row.lines.map((line) => ({ ...line, lineTotal: line.quantity * line.unitPrice })),
      total: Number(row.total),
      version: row.version,
      placedAt: row.placed_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
      ...(row.paid_at && {
        payment: {
          amount: Number(row.paid_amount),
          paidAt: row.paid_at.toISOString(),
          ...(row.withdrawal_position && { withdrawalPosition: Number(row.withdrawal_position) }),
        },
      }),
      ...(row.shipment_id && {
        shipment: {
          id: row.shipment_id,
          href: `/shipments/${row.shipment_id}`,
          ...(row.shipped_at && { shippedAt: row.shipped_at.toISOString() }),
        },
      }),
      ...(row.cancelled_at && {
        cancellation: {
          reason: row.cancellation_reason!,
          ...(row.cancellation_detail && { detail: row.cancellation_detail }),
          cancelledAt: row.cancelled_at.toISOString(),
        },
      }),
    };
  }
}
