import { Injectable } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import {
  EventSourcedRepository,
  PostgresEventStore,
  type UpdateOptions,
} from '../event-store/index.js';
import type { CommandAccepted } from '../shared/command-accepted.response.js';
import { cartDefinition, type CartRef, type CartState, requireVisible } from './domain/cart.js';
import type { CartEvent } from './domain/cart.events.js';

/** Carts live for a few dozen events: no snapshots. */
@Injectable()
export class CartRepository extends EventSourcedRepository<CartState, CartEvent> {
  constructor(store: PostgresEventStore, eventBus: EventBus) {
    super({ store, publisher: eventBus, definition: cartDefinition });
  }

  /** Decides `command` on its cart; a cart the caller may not see answers as a missing one, before If-Match. */
  async change<C extends CartRef>(
    command: C,
    decide: (state: CartState, command: C) => readonly CartEvent[],
    options: Pick<UpdateOptions, 'expectedVersion' | 'metadata'>,
  ): Promise<CommandAccepted> {
    const { cartId } = command;
    const { version, position } = await this.update(cartId, (state) => decide(state, command), {
      ...options,
      admit: (state) => requireVisible(state, command),
    });
    return { id: cartId, version, position };
  }
}
