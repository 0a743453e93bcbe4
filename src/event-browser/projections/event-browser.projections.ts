import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EventTypeRegistry, type PersistedEvent } from '../../event-store/index.js';
import {
  type EntityProjection,
  EntityWriter,
  Projection,
  type ReadModel,
  type ProjectionTransaction,
  writeEntities,
} from '../../projections/index.js';
import { CorrelationKeys } from '../correlation-keys.js';
import type { CorrelationEvent } from './correlation-event.entity.js';
import { type CorrelatedEvent, correlationEvents } from './correlation-events.projection.js';
import { EVENT_BROWSER_WAKE_INTERVAL_MS } from './stream-catalog.projection.js';

/** The entity projection `correlationEvents`, over every event of the log that carries a correlation id. */
@Projection('correlation-events')
@Injectable()
export class CorrelationEventsProjection implements ReadModel {
  readonly tables = ['correlation_events'];
  readonly withoutData = true;
  readonly wakeIntervalMs = EVENT_BROWSER_WAKE_INTERVAL_MS;
  private readonly projection: EntityProjection<CorrelationEvent, CorrelatedEvent>;

  constructor(
    private readonly registry: EventTypeRegistry,
    keys: CorrelationKeys,
  ) {
    this.projection = correlationEvents(keys.of);
  }

  /** Every registered type, read once the modules have registered theirs (the runner reads it at bootstrap). */
  get eventTypes(): readonly string[] {
    return this.registry.eventTypes;
  }

  apply(events: readonly PersistedEvent[], tx: EntityManager): Promise<void> {
    return writeEntities(this.projection, events, tx);
  }

  open(tx: EntityManager): ProjectionTransaction {
    return new EntityWriter(this.projection, tx);
  }
}
