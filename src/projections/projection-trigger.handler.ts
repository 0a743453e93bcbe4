import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { PersistedEvent } from '../event-store/persisted-event.js';
import { ProjectionRunner } from './projection-runner.service.js';

/** The fast path: every event the EventBus publishes after a commit wakes the projections at once. */
@EventsHandler(PersistedEvent)
export class ProjectionTrigger implements IEventHandler<PersistedEvent> {
  constructor(private readonly runner: ProjectionRunner) {}

  handle(event: PersistedEvent): void {
    this.runner.onCommitted(event);
  }
}
