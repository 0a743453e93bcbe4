import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PersistedEvent } from '../../event-store/index.js';
import { Projection, type ProjectionHandler, writeEntities } from '../../projections/index.js';
import type { ShipmentCreated } from '../../shipping/index.js';
import { ORDER_EVENT_TYPES } from '../domain/order.events.js';
import { orderViews } from './order-view.projection.js';

const SHIPMENT_CREATED: ShipmentCreated['type'] = 'ShipmentCreated';

/** The entity projection `orderViews`. */
@Projection('orders')
@Injectable()
export class OrdersProjection implements ProjectionHandler {
  readonly eventTypes = [...ORDER_EVENT_TYPES, SHIPMENT_CREATED];
  readonly tables = ['orders'];

  async apply(events: readonly PersistedEvent[], tx: EntityManager): Promise<void> {
    await writeEntities(orderViews, events, tx);
  }
}
