import { Injectable } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { EventSourcedRepository, PostgresEventStore } from '../event-store/index.js';
import { checkoutDefinition, type CheckoutState } from './domain/checkout.js';
import type { CheckoutEvent } from './domain/checkout.events.js';
import { orderDefinition, type OrderState } from './domain/order.js';
import type { OrderEvent } from './domain/order.events.js';

/** Orders live for a handful of events: no snapshots. */
@Injectable()
export class OrderRepository extends EventSourcedRepository<OrderState, OrderEvent> {
  constructor(store: PostgresEventStore, eventBus: EventBus) {
    super({ store, publisher: eventBus, definition: orderDefinition });
  }
}

/** The checkout sagas' streams, `checkout-<orderId>`. */
@Injectable()
export class CheckoutRepository extends EventSourcedRepository<CheckoutState, CheckoutEvent> {
  constructor(store: PostgresEventStore, eventBus: EventBus) {
    super({ store, publisher: eventBus, definition: checkoutDefinition });
  }

  /** The checkout request's correlation id, which the saga's first event carries (the order id in older data). */
  async correlationOf(orderId: string): Promise<string> {
    const [started] = await this.store.readStream(this.streamIdOf(orderId), { limit: 1 });
    const correlationId = started?.metadata.correlationId;
    return typeof correlationId === 'string' ? correlationId : orderId;
  }
}
