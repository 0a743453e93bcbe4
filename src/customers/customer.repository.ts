import { Injectable } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { EventSourcedRepository, PostgresEventStore } from '../event-store/index.js';
import { customerDefinition, type CustomerState } from './domain/customer.js';
import type { CustomerEvent } from './domain/customer.events.js';

/** A customer stream holds an event or two: no snapshots. */
@Injectable()
export class CustomerRepository extends EventSourcedRepository<CustomerState, CustomerEvent> {
  constructor(store: PostgresEventStore, eventBus: EventBus) {
    super({ store, publisher: eventBus, definition: customerDefinition });
  }
}
