import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PersistedEvent } from '../../event-store/persisted-event.js';
import { Projection, type ProjectionHandler } from '../../projections/projection.js';
import { concurrently } from '../concurrently.js';
import type { CheckoutEvent } from '../domain/checkout.events.js';
import { CHECKOUT_SAGA_EVENT_TYPES, route, type Routed } from './checkout-triggers.js';
import { CheckoutSteps } from './checkout-steps.js';

export const CHECKOUT_SAGA = 'checkout-saga';

type Pending = { orderId: string; kind: 'payment' | 'refund' };
type PendingChange = Pending &
  ({ open: true; dueAt: string | null; requestedAt: Date } | { open: false });

/**
 * Drives the checkout sagas from the global log, as a durable subscriber. `react` runs the steps, before the
 * batch's transaction (no transaction stays open while they send commands); the checkpoint moves only after, so
 * after a crash the same triggers come again and each saga resumes from its stream. Steps of one saga run in log
 * order; sagas run side by side. `apply` keeps `checkout_pending` (the requests still unanswered, with the
 * payment's deadline) from the saga's own events, for the timer.
 */
@Projection(CHECKOUT_SAGA)
@Injectable()
export class CheckoutSagaReactor implements ProjectionHandler {
  readonly eventTypes = CHECKOUT_SAGA_EVENT_TYPES;
  readonly tables = ['checkout_pending'];
  readonly maxBatchEvents = 64;

  constructor(private readonly steps: CheckoutSteps) {}

  async react(events: readonly PersistedEvent[]): Promise<void> {
    const sagas = new Map<string, Array<Extract<Routed, { trigger: unknown }>>>();
    for (const routed of events.map(route)) {
      if (!routed || 'own' in routed) continue;
      sagas.set(routed.orderId, [...(sagas.get(routed.orderId) ?? []), routed]);
    }
    await concurrently(sagas.values(), 8, async (steps) => {
      for (const { orderId, trigger, event } of steps)
        await this.steps.run(orderId, trigger, event);
    });
  }

  async apply(events: readonly PersistedEvent[], tx: EntityManager): Promise<void> {
    const own = events
      .map(route)
      .filter((r): r is Extract<Routed, { own: unknown }> => r !== undefined && 'own' in r);
    await this.track(own, tx);
  }

  private async track(
    own: ReadonlyArray<{ own: CheckoutEvent; event: PersistedEvent }>,
    tx: EntityManager,
  ) {
    const changes = new Map<string, PendingChange>();
    const note = (change: PendingChange) => changes.set(`${change.orderId} ${change.kind}`, change);
    for (const { own: event, event: stored } of own) {
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
