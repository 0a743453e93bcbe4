import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Repository } from 'typeorm';
import { ReadDatabase } from '../../../database/read-database.js';
import { ShipmentNotFound } from '../../domain/shipment.errors.js';
import { ShipmentView } from '../../projections/shipment-view.entity.js';
import { GetShipmentQuery } from './get-shipment.query.js';
import type { ShipmentResponse } from './shipment.response.js';

@QueryHandler(GetShipmentQuery)
export class GetShipmentHandler implements IQueryHandler<GetShipmentQuery, ShipmentResponse> {
  private readonly shipments: Repository<ShipmentView>;

  constructor(read: ReadDatabase) {
    this.shipments = read.repository(ShipmentView);
  }

  async execute({ shipmentId, ownedBy }: GetShipmentQuery): Promise<ShipmentResponse> {
    const row = await this.shipments.findOneBy({
      id: shipmentId,
      ...(ownedBy && { customerId: ownedBy }),
    });
    if (!row) throw new ShipmentNotFound(shipmentId);
    return {
      id: row.id,
      orderId: row.orderId,
      status: row.status,
      version: row.version,
      createdAt: row.createdAt.toISOString(),
      ...(row.dispatchedAt && { dispatchedAt: row.dispatchedAt.toISOString() }),
    };
  }
}
