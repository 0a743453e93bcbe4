import { Injectable } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { EventSourcedRepository, PostgresEventStore } from '../event-store/index.js';
import { cartDefinition, type CartState } from './domain/cart.js';
import type { CartEvent } from './domain/cart.events.js';

/** Carts live for a few dozen events: no snapshots. */
@Injectable()
export class CartRepository extends EventSourcedRepository<CartState, CartEvent> {
  constructor(store: PostgresEventStore, eventBus: EventBus) {
    super(store, eventBus, cartDefinition);
  }
}
