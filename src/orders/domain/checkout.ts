import type { AggregateDefinition } from '../../event-store/aggregate.js';
import { deterministicUuid } from '../../event-store/event-ids.js';
import type { CheckoutEvent } from './checkout.events.js';
import type { CancellationReason } from './order.events.js';

export type CheckoutStage =
  'awaiting-payment' | 'paid' | 'declined' | 'timed-out' | 'refunding' | 'refunded' | 'completed';

export type CheckoutState =
  | { stage: 'none' }
  | {
      stage: CheckoutStage;
      orderId: string;
      /** The order's customer; null for a saga started before accounts had owners. */
      customerId: string | null;
      accountId: string;
      amount: number;
      currency: string;
      dueAt: string;
      /** The timer's notice is in the stream: it is not appended again. */
      deadlineReached?: true;
    };

/** What the saga reacts to: the order placed, the answers to its requests, the timer, the dispatch. */
export type CheckoutTrigger =
  | {
      type: 'order-placed';
      orderId: string;
      customerId: string;
      accountId: string;
      amount: number;
      currency: string;
    }
  | { type: 'payment-succeeded'; withdrawalPosition: number }
  | { type: 'payment-declined'; reason: string }
  | { type: 'deadline-reached' }
  | { type: 'refund-succeeded'; depositPosition: number }
  | { type: 'shipment-dispatched'; shipmentId: string };

/** A change to the order, in this context: applied before the saga records its step. */
export type OrderAction =
  | { type: 'record-payment'; accountId: string; amount: number; withdrawalPosition: number }
  | { type: 'cancel'; reason: CancellationReason; detail?: string }
  | { type: 'ship'; shipmentId: string };

/**
 * A command to the accounts context; its answer comes back as an event carrying `commandId`. A withdrawal names
 * the order's currency: an account in another one refuses it (`currency-mismatch`), which declines the payment.
 * It names the order's customer too (`ownedBy`): an account they do not own is refused as a missing one
 * (`account-not-found`, nothing recorded on it), which declines the payment as well.
 */
export type PaymentRequest = {
  type: 'withdraw' | 'deposit';
  accountId: string;
  amount: number;
  currency?: string;
  ownedBy?: string;
  commandId: string;
  description: string;
};

export interface CheckoutDecision {
  /** Recorded last, once the effects below are done: a step recorded is a step whose effects happened. */
  readonly events: CheckoutEvent[];
  readonly order?: OrderAction;
  readonly request?: PaymentRequest;
}

export interface CheckoutClock {
  readonly now: Date;
  readonly paymentTimeoutMs: number;
}

export type CheckoutStep = 'withdraw' | 'refund' | 'deadline' | OrderAction['type'];

/** The id of every command a saga sends: the same step of the same saga always has the same id. */
export const checkoutCommandId = (orderId: string, step: CheckoutStep): string =>
  deterministicUuid('checkout', orderId, step);

/** The command id under which the saga records its reaction to a trigger (each decides once per saga). */
export const checkoutRecordId = (orderId: string, trigger: CheckoutTrigger['type']): string =>
  deterministicUuid('checkout', orderId, 'record', trigger);

export const initialState = (): CheckoutState => ({ stage: 'none' });

export function evolve(state: CheckoutState, event: CheckoutEvent): CheckoutState {
  switch (event.type) {
    case 'CheckoutStarted': {
      const { orderId, customerId, accountId, amount, currency, dueAt } = event.data;
      return { stage: 'awaiting-payment', orderId, customerId, accountId, amount, currency, dueAt };
    }
    case 'CheckoutPaymentReceived':
      return moveTo(state, 'paid');
    case 'CheckoutPaymentDeclined':
      return moveTo(state, 'declined');
    case 'CheckoutDeadlineReached':
      return state.stage === 'none' ? state : { ...state, deadlineReached: true };
    case 'CheckoutPaymentTimedOut':
      return moveTo(state, 'timed-out');
    case 'CheckoutRefundRequested':
      return moveTo(state, 'refunding');
    case 'CheckoutRefunded':
      return moveTo(state, 'refunded');
    case 'CheckoutCompleted':
      return moveTo(state, 'completed');
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

const moveTo = (state: CheckoutState, stage: CheckoutStage): CheckoutState =>
  state.stage === 'none' ? state : { ...state, stage };

const NOTHING: CheckoutDecision = { events: [] };

/**
 * The saga's one decision function. A trigger that does not fit the stage (a repeat, a late rejection) decides
 * nothing, which is what makes a redelivered trigger harmless.
 */
export function decide(
  state: CheckoutState,
  trigger: CheckoutTrigger,
  clock: CheckoutClock,
): CheckoutDecision {
  if (trigger.type === 'order-placed') {
    if (state.stage !== 'none') return NOTHING;
    const { orderId, customerId, accountId, amount, currency } = trigger;
    const paymentCommandId = checkoutCommandId(orderId, 'withdraw');
    const dueAt = new Date(clock.now.getTime() + clock.paymentTimeoutMs).toISOString();
    return {
      events: [
        {
          type: 'CheckoutStarted',
          data: { orderId, customerId, accountId, amount, currency, paymentCommandId, dueAt },
        },
      ],
      request: withdrawal({
        stage: 'awaiting-payment',
        orderId,
        customerId,
        accountId,
        amount,
        currency,
        dueAt,
      }),
    };
  }
  if (state.stage === 'none') return NOTHING;
  const { orderId } = state;
  switch (trigger.type) {
    case 'payment-succeeded': {
      const { withdrawalPosition } = trigger;
      if (state.stage === 'awaiting-payment') {
        return {
          events: [{ type: 'CheckoutPaymentReceived', data: { orderId, withdrawalPosition } }],
          order: {
            type: 'record-payment',
            accountId: state.accountId,
            amount: state.amount,
            withdrawalPosition,
          },
        };
      }
      if (state.stage !== 'timed-out') return NOTHING;
      // Paid after the order was cancelled: the money goes back.
      const refund = { ...state, stage: 'refunding' as const };
      return {
        events: [
          {
            type: 'CheckoutRefundRequested',
            data: {
              orderId,
              amount: state.amount,
              refundCommandId: checkoutCommandId(orderId, 'refund'),
              withdrawalPosition,
            },
          },
        ],
        request: pendingRequest(refund),
      };
    }
    case 'payment-declined':
      if (state.stage !== 'awaiting-payment') return NOTHING;
      return {
        events: [{ type: 'CheckoutPaymentDeclined', data: { orderId, reason: trigger.reason } }],
        order: { type: 'cancel', reason: 'payment-declined', detail: trigger.reason },
      };
    case 'deadline-reached':
      if (state.stage !== 'awaiting-payment') return NOTHING;
      return {
        events: [{ type: 'CheckoutPaymentTimedOut', data: { orderId } }],
        order: { type: 'cancel', reason: 'payment-timeout' },
      };
    case 'refund-succeeded':
      if (state.stage !== 'refunding') return NOTHING;
      return {
        events: [
          {
            type: 'CheckoutRefunded',
            data: { orderId, depositPosition: trigger.depositPosition },
          },
        ],
      };
    case 'shipment-dispatched':
      if (state.stage !== 'paid') return NOTHING;
      return {
        events: [{ type: 'CheckoutCompleted', data: { orderId, shipmentId: trigger.shipmentId } }],
        order: { type: 'ship', shipmentId: trigger.shipmentId },
      };
    default: {
      const unhandled: never = trigger;
      return unhandled;
    }
  }
}

/** The timer's notice, when the payment is still unanswered at its deadline. */
export function announceDeadline(state: CheckoutState, now: Date): CheckoutEvent[] {
  if (state.stage !== 'awaiting-payment' || state.deadlineReached) return [];
  if (now.getTime() < Date.parse(state.dueAt)) return [];
  return [{ type: 'CheckoutDeadlineReached', data: { orderId: state.orderId } }];
}

/** The request still unanswered, which may be sent again as it is (same command id). */
export function pendingRequest(state: CheckoutState): PaymentRequest | undefined {
  // Past its deadline a withdrawal is not asked for again: it could only be refunded.
  if (state.stage === 'awaiting-payment')
    return state.deadlineReached ? undefined : withdrawal(state);
  if (state.stage !== 'refunding') return undefined;
  return {
    type: 'deposit',
    accountId: state.accountId,
    amount: state.amount,
    commandId: checkoutCommandId(state.orderId, 'refund'),
    description: `Refund of order ${state.orderId}: paid after its checkout timed out`,
  };
}

function withdrawal(state: Exclude<CheckoutState, { stage: 'none' }>): PaymentRequest {
  return {
    type: 'withdraw',
    accountId: state.accountId,
    amount: state.amount,
    currency: state.currency,
    ...(state.customerId !== null && { ownedBy: state.customerId }),
    commandId: checkoutCommandId(state.orderId, 'withdraw'),
    description: `Order ${state.orderId}`,
  };
}

export const checkoutDefinition: AggregateDefinition<CheckoutState, CheckoutEvent> = {
  streamType: 'checkout',
  initialState,
  evolve,
};
