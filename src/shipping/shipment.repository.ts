import { Injectable } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import type { PoolClient } from 'pg';
import type { EntityManager } from 'typeorm';
import {
  EventSourcedRepository,
  type EventTypeRegistry,
  PostgresEventStore,
} from '../event-store/index.js';
import { shipmentDefinition, type ShipmentState } from './domain/shipment.js';
import type { ShipmentEvent } from './domain/shipment.events.js';

/** Shipments live for two events: no snapshots. */
@Injectable()
export class ShipmentRepository extends EventSourcedRepository<ShipmentState, ShipmentEvent> {
  constructor(store: PostgresEventStore, eventBus: EventBus) {
    super({ store, publisher: eventBus, definition: shipmentDefinition });
  }
}

/** Nothing is published before the caller's commit; its NOTIFY wakes the projections then. */
const PUBLISHED_AT_COMMIT = { publishAll: () => undefined };

/**
 * Shipments read and written on the connection of the caller's transaction: the events commit or roll back with
 * whatever else it writes. Shipment events hold no personal data, so this store needs no key.
 */
export async function shipmentsIn(
  tx: EntityManager,
  registry: EventTypeRegistry,
): Promise<EventSourcedRepository<ShipmentState, ShipmentEvent>> {
  if (!tx.queryRunner) throw new Error('shipmentsIn needs the EntityManager of a transaction');
  const connection = (await tx.queryRunner.connect()) as PoolClient;
  const store = new PostgresEventStore(connection, registry);
  return new EventSourcedRepository({
    store,
    publisher: PUBLISHED_AT_COMMIT,
    definition: shipmentDefinition,
  });
}
