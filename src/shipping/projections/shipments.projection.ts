import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PersistedEvent } from '../../event-store/index.js';
import { Projection, type ProjectionHandler, writeEntities } from '../../projections/index.js';
import { SHIPMENT_EVENT_TYPES } from '../domain/shipment.events.js';
import { shipmentViews } from './shipment-view.projection.js';

/** The entity projection `shipmentViews`. */
@Projection('shipments')
@Injectable()
export class ShipmentsProjection implements ProjectionHandler {
  readonly eventTypes = SHIPMENT_EVENT_TYPES;
  readonly tables = ['shipments'];

  async apply(events: readonly PersistedEvent[], tx: EntityManager): Promise<void> {
    await writeEntities(shipmentViews, events, tx);
  }
}
