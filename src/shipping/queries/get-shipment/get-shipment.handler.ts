import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ShipmentNotFound } from '../../domain/shipment.errors.js';
import { GetShipmentQuery } from './get-shipment.query.js';
import type { ShipmentResponse } from './shipment.response.js';

interface ShipmentRow {
  id: string;
  order_id: string;
  status: ShipmentResponse['status'];
  version: number;
  created_at: Date;
  dispatched_at: Date | null;
}

@QueryHandler(GetShipmentQuery)
export class GetShipmentHandler implements IQueryHandler<GetShipmentQuery, ShipmentResponse> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute({ shipmentId, ownedBy }: GetShipmentQuery): Promise<ShipmentResponse> {
    const [row]: ShipmentRow[] = await this.db.query(
      `SELECT id, order_id, status, version, created_at, dispatched_at FROM shipments
       WHERE id = $1 AND ($2::uuid IS NULL OR customer_id = $2::uuid)`,
      [shipmentId, ownedBy ?? null],
    );
    if (!row) throw new ShipmentNotFound(shipmentId);
    return {
      id: row.id,
      orderId: row.order_id,
      status: row.status,
      version: row.version,
      createdAt: row.created_at.toISOString(),
      ...(row.dispatched_at && { dispatchedAt: row.dispatched_at.toISOString() }),
    };
  }
}
