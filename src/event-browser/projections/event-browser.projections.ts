import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EventTypeRegistry, type PersistedEvent } from '../../event-store/index.js';
import {
  type EntityProjection,
  EntityWriter,
  Projection,
  type ProjectionHandler,
  type ProjectionTransaction,
  writeEntities,
} from '../../projections/index.js';
import { CorrelationKeys } from '../correlation-keys.js';
import type { CorrelationEvent } from './correlation-event.entity.js';
import { type CorrelatedEvent, correlationEvents } from './correlation-events.projection.js';
import { streamCatalog } from './stream-catalog.projection.js';

/** Every registered type, read once the modules have registered theirs (the runner reads it at bootstrap). */
abstract class EveryEventProjection implements ProjectionHandler {
  abstract readonly tables: readonly string[];
  readonly withoutData = true;

  constructor(private readonly registry: EventTypeRegistry) {}

  get eventTypes(): readonly string[] {
    return this.registry.eventTypes;
  }

  abstract apply(events: readonly PersistedEvent[], tx: EntityManager): Promise<void>;
}

/** The entity projection `streamCatalog`, over every event of the log. */
@Projection('stream-catalog')
@Injectable()
export class StreamCatalogProjection extends EveryEventProjection {
  readonly tables = ['stream_catalog'];
  readonly withoutMetadata = true;

  constructor(registry: EventTypeRegistry) {
    super(registry);
  }

  apply(events: readonly PersistedEvent[], tx: EntityManager): Promise<void> {
    return writeEntities(streamCatalog, events, tx);
  }

  open(tx: EntityManager): ProjectionTransaction {
    return new EntityWriter(streamCatalog, tx);
  }
}

/** The entity projection `correlationEvents`, over every event of the log that carries a correlation id. */
@Projection('correlation-events')
@Injectable()
export class CorrelationEventsProjection extends EveryEventProjection {
  readonly tables = ['correlation_events'];
  private readonly projection: EntityProjection<CorrelationEvent, CorrelatedEvent>;

  constructor(registry: EventTypeRegistry, keys: CorrelationKeys) {
    super(registry);
    this.projection = correlationEvents(keys.of);
  }

  apply(events: readonly PersistedEvent[], tx: EntityManager): Promise<void> {
    return writeEntities(this.projection, events, tx);
  }

  open(tx: EntityManager): ProjectionTransaction {
    return new EntityWriter(this.projection, tx);
  }
}
