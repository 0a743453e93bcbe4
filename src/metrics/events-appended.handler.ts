import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { PersistedEvent } from '../event-store/index.js';
import { Metrics } from './metrics.service.js';

/** The repository publishes after commit and not on an idempotent duplicate, so each event counts once. */
@EventsHandler(PersistedEvent)
export class CountAppendedEvents implements IEventHandler<PersistedEvent> {
  constructor(private readonly metrics: Metrics) {}

  handle(event: PersistedEvent): void {
    this.metrics.eventsAppended.inc({ type: event.type });
  }
}
