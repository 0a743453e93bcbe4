import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { ConcurrencyError, type PersistedEvent } from '../../event-store/index.js';
import { Projection, type ProjectionHandler } from '../../projections/index.js';
import { concurrently } from '../concurrently.js';
import {
  decide,
  evolve,
  type CheckoutClock,
  type CheckoutMessage,
  type CheckoutState,
} from '../domain/checkout.js';
import { CHECKOUT_EVENT_TYPES, type CheckoutEvent } from '../domain/checkout.events.js';
import { checkoutCommandId, checkoutRecordId } from './checkout-ids.js';
import { CheckoutRepository } from '../order.repository.js';
import { CheckoutCommands } from './checkout-commands.js';
import { CHECKOUT_SAGA_EVENT_TYPES, messageOf } from './checkout-messages.js';

export const CHECKOUT_SAGA = 'checkout-saga';

const ATTEMPTS = 3;
const OWN_EVENTS: ReadonlySet<string> = new Set(CHECKOUT_EVENT_TYPES);

type Pending = { orderId: string; kind: 'payment' | 'refund' };
type PendingChange = Pending &
  ({ open: true; dueAt: string | null; requestedAt: Date } | { open: false });

/**
 * Runs the checkout workflow (domain/checkout.ts) on its messages from the global log: per message, load the
 * saga's stream, decide, carry out the commands, then record the events. `react` runs before the batch's
 * transaction, a saga's messages in log order, sagas side by side. It is a projection too: `apply` keeps
 * `checkout_pending`, the timer's index of unanswered requests, from the saga's own events, so a rebuild restores it.
 * See docs/architecture.md#orders-and-the-checkout-saga.
 */
@Projection(CHECKOUT_SAGA)
@Injectable()
export class CheckoutSagaReactor implements ProjectionHandler {
  readonly eventTypes = CHECKOUT_SAGA_EVENT_TYPES;
  readonly tables = ['checkout_pending'];
  readonly maxBatchEvents = 64;

  constructor(
    private readonly checkouts: CheckoutRepository,
    private readonly commands: CheckoutCommands,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async react(events: readonly PersistedEvent[]): Promise<void> {
    const inboxes = new Map<string, Array<{ message: CheckoutMessage; cause: PersistedEvent }>>();
    for (const cause of events) {
      const routed = messageOf(cause);
      if (!routed) continue;
      const inbox = inboxes.get(routed.orderId) ?? [];
      inboxes.set(routed.orderId, [...inbox, { message: routed.message, cause }]);
    }
    await concurrently(inboxes, 8, async ([orderId, inbox]) => {
      for (const { message, cause } of inbox) await this.handle(orderId, message, cause);
    });
  }

  /** Effects first, record last: a step recorded is a step whose commands were carried out. */
  private async handle(orderId: string, message: CheckoutMessage, cause: PersistedEvent) {
    for (let attempt = 1; ; attempt++) {
      const saga = await this.checkouts.load(orderId);
      const clock = { now: new Date(), paymentTimeoutMs: this.config.checkout.paymentTimeoutMs };
      const events = await this.carryOut(orderId, saga.state, message, cause, clock);
      if (events.length === 0) return;
      try {
        await this.checkouts.update(orderId, () => events, {
          expectedVersion: saga.version,
          metadata: {
            commandId: checkoutRecordId(orderId, message.type),
            correlationId: orderId,
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
    orderId: string,
    state: CheckoutState,
    message: CheckoutMessage,
    cause: PersistedEvent,
    clock: CheckoutClock,
  ): Promise<CheckoutEvent[]> {
    const { events, commands } = decide(state, message, clock, checkoutCommandId);
    const decided = events.reduce(evolve, state);
    const answered: CheckoutEvent[] = [];
    for (const command of commands) {
      const answer = await this.commands.send(command, orderId, cause.eventId);
      if (answer) answered.push(...(await this.carryOut(orderId, decided, answer, cause, clock)));
    }
    return [...events, ...answered];
  }

  async apply(events: readonly PersistedEvent[], tx: EntityManager): Promise<void> {
    const own = events.filter((event) => OWN_EVENTS.has(event.type));
    await this.track(own, tx);
  }

  private async track(own: readonly PersistedEvent[], tx: EntityManager) {
    const changes = new Map<string, PendingChange>();
    const note = (change: PendingChange) => changes.set(`${change.orderId} ${change.kind}`, change);
    for (const stored of own) {
      const event = { type: stored.type, data: stored.data } as CheckoutEvent;
      const { orderId } = event.data;
      switch (event.type) {
        case 'CheckoutStarted':
          note({
            orderId,
            kind: 'payment',
            open: true,
            dueAt: event.data.dueAt,
            requestedAt: stored.recordedAt,
          });
          break;
        case 'CheckoutPaymentReceived':
        case 'CheckoutPaymentDeclined':
        case 'CheckoutPaymentTimedOut':
          note({ orderId, kind: 'payment', open: false });
          break;
        case 'CheckoutRefundRequested':
          note({
            orderId,
            kind: 'refund',
            open: true,
            dueAt: null,
            requestedAt: stored.recordedAt,
          });
          break;
        case 'CheckoutRefunded':
          note({ orderId, kind: 'refund', open: false });
          break;
        case 'CheckoutDeadlineReached':
        case 'CheckoutCompleted':
          break;
        default: {
          const unhandled: never = event;
          throw new Error(`Unhandled checkout event ${(unhandled as CheckoutEvent).type}`);
        }
      }
    }
    const closed = [...changes.values()].filter((c) => !c.open);
    const opened = [...changes.values()].filter((c) => c.open);
    if (closed.length > 0) {
      await tx.query(
        `DELETE FROM checkout_pending p USING unnest($1::uuid[], $2::text[]) AS c(order_id, kind)
         WHERE p.order_id = c.order_id AND p.kind = c.kind`,
        [closed.map((c) => c.orderId), closed.map((c) => c.kind)],
      );
    }
    if (opened.length > 0) {
      await tx.query(
        `INSERT INTO checkout_pending (order_id, kind, due_at, requested_at)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::timestamptz[])
         ON CONFLICT (order_id, kind) DO UPDATE SET due_at = EXCLUDED.due_at, requested_at = EXCLUDED.requested_at`,
        [
          opened.map((c) => c.orderId),
          opened.map((c) => c.kind),
          opened.map((c) => (c.open ? c.dueAt : null)),
          opened.map((c) => (c.open ? c.requestedAt : null)),
        ],
      );
    }
  }
}
