import {
  compositeId,
  type DeclaredProjection,
  type ProjectedEvent,
} from '../../projections/index.js';
import { CHECKOUT_EVENT_TYPES, type CheckoutEvent } from '../domain/checkout.events.js';
import { CheckoutPending } from './checkout-pending.entity.js';

/** The request a checkout event opens or answers: the payment, or the refund of a payment that came too late. */
function requestOf(event: CheckoutEvent): { kind: CheckoutPending['kind']; open: boolean } | null {
  switch (event.type) {
    case 'CheckoutStarted':
      return { kind: 'payment', open: true };
    case 'CheckoutPaymentReceived':
    case 'CheckoutPaymentDeclined':
    case 'CheckoutPaymentTimedOut':
      return { kind: 'payment', open: false };
    case 'CheckoutRefundRequested':
      return { kind: 'refund', open: true };
    case 'CheckoutRefunded':
      return { kind: 'refund', open: false };
    case 'CheckoutDeadlineReached':
    case 'CheckoutCompleted':
      return null;
    default: {
      const unhandled: never = event;
      throw new Error(`Unhandled checkout event ${(unhandled as CheckoutEvent).type}`);
    }
  }
}

/** A request stays pending from the event that opens it to the one that answers it. */
export function evolvePending(
  row: CheckoutPending | null,
  event: ProjectedEvent<CheckoutEvent>,
): CheckoutPending | null {
  const request = requestOf(event);
  if (!request) return row;
  if (!request.open) return null;
  return {
    orderId: event.data.orderId,
    kind: request.kind,
    dueAt: event.type === 'CheckoutStarted' ? new Date(event.data.dueAt) : null,
    requestedAt: event.recordedAt,
  };
}

/** `checkout_pending`: the checkout timer's index of unanswered requests, one row per order and kind. */
export const checkoutPending: DeclaredProjection<CheckoutPending, CheckoutEvent> = {
  name: 'checkout-pending',
  eventTypes: CHECKOUT_EVENT_TYPES,
  entity: CheckoutPending,
  rowId: (event) => {
    const request = requestOf(event);
    return request && compositeId(event.data.orderId, request.kind);
  },
  evolve: evolvePending,
};
