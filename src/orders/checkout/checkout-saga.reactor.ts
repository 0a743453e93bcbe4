import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { ConcurrencyError, type PersistedEvent } from '../../event-store/index.js';
import { Reactor } from '../../projections/index.js';
import { concurrently } from '../concurrently.js';
import {
  decide,
  evolve,
  type CheckoutClock,
  type CheckoutMessage,
  type CheckoutState,
} from '../domain/checkout.js';
import type { CheckoutEvent } from '../domain/checkout.events.js';
import { checkoutCommandId, checkoutRecordId } from './checkout-ids.js';
import { CheckoutRepository } from '../order.repository.js';
import { CheckoutCommands, type CheckoutContext } from './checkout-commands.js';
import { CHECKOUT_SAGA_EVENT_TYPES, messageOf } from './checkout-messages.js';

export const CHECKOUT_SAGA = 'checkout-saga';

const ATTEMPTS = 3;

type Routed = NonNullable<ReturnType<typeof messageOf>> & { cause: PersistedEvent };

/**
 * Runs the checkout workflow (domain/checkout.ts) on its messages from the global log, before the batch's
 * transaction: load, decide, carry out the commands, record the events; a saga's messages in log order, sagas side
 * by side. See docs/architecture.md#orders-and-the-checkout-saga.
 */
@Reactor(CHECKOUT_SAGA)
@Injectable()
export class CheckoutSagaReactor implements Reactor {
  readonly eventTypes = CHECKOUT_SAGA_EVENT_TYPES;
  readonly maxBatchEvents = 64;

  constructor(
    private readonly checkouts: CheckoutRepository,
    private readonly commands: CheckoutCommands,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async react(events: readonly PersistedEvent[]): Promise<void> {
    const inboxes = new Map<string, Routed[]>();
    for (const cause of events) {
      const routed = messageOf(cause);
      if (!routed) continue;
      const inbox = inboxes.get(routed.orderId) ?? [];
      inboxes.set(routed.orderId, [...inbox, { ...routed, cause }]);
    }
    await concurrently(inboxes, 8, async ([, inbox]) => {
      for (const routed of inbox) await this.handle(routed);
    });
  }

  /** Effects first, record last: a step recorded is a step whose commands were carried out. */
  private async handle({ orderId, message, cause, correlationId: carried }: Routed) {
    // A dispatch is an operator's request with its own correlation id: the checkout's is on the saga's stream.
    const correlationId = carried ?? (await this.checkouts.correlationOf(orderId));
    const context = { orderId, correlationId, causationId: cause.eventId };
    for (let attempt = 1; ; attempt++) {
      const saga = await this.checkouts.load(orderId);
      const clock = { now: new Date(), paymentTimeoutMs: this.config.checkout.paymentTimeoutMs };
      const events = await this.carryOut(context, saga.state, message, clock);
      if (events.length === 0) return;
      try {
        await this.checkouts.update(orderId, () => events, {
          expectedVersion: saga.version,
          metadata: {
            commandId: checkoutRecordId(orderId, message.type),
            correlationId,
            causationId: cause.eventId,
            actor: 'checkout-saga',
          },
        });
        return;
      } catch (error) {
        // The timer's notice landed since the load: decide again on the stream as it is now.
        if (!(error instanceof ConcurrencyError) || attempt >= ATTEMPTS) throw error;
      }
    }
  }

  /** Decides on the message and carries out its commands; an answer that comes at once is a message in turn. */
  private async carryOut(
    context: CheckoutContext,
    state: CheckoutState,
    message: CheckoutMessage,
    clock: CheckoutClock,
  ): Promise<CheckoutEvent[]> {
    const { events, commands } = decide(state, message, clock, checkoutCommandId);
    const decided = events.reduce(evolve, state);
    const answered: CheckoutEvent[] = [];
    for (const command of commands) {
      const answer = await this.commands.send(command, context);
      if (answer) answered.push(...(await this.carryOut(context, decided, answer, clock)));
    }
    return [...events, ...answered];
  }
}
