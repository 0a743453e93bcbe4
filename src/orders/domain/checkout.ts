import type { AggregateDefinition } from '../../event-store/index.js';
import type { CheckoutEvent } from './checkout.events.js';
import type { CancellationReason } from './order.events.js';

/**
 * The checkout saga as a workflow: `decide(state, message) -> { events, commands }`, `evolve`, `initialState`.
 * Its state is the stream `checkout-<orderId>`; see docs/architecture.md#orders-and-the-checkout-saga.
 */
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

/** What the saga reacts to: the order placed, the answers to its commands, the timer, the dispatch. */
export type CheckoutMessage =
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

/**
 * What the saga asks of the accounts context (answered later by an event carrying `commandId`) and of the order.
 * A withdrawal names the order's currency and customer (`ownedBy`): an account in another currency records a
 * refusal, one the customer does not own is refused as missing, with nothing recorded.
 */
export type CheckoutCommand =
  | {
      type: 'withdraw';
      commandId: string;
      accountId: string;
      amount: number;
      currency: string;
      ownedBy?: string;
      description: string;
    }
  | { type: 'deposit'; commandId: string; accountId: string; amount: number; description: string }
  | {
      type: 'record-payment';
      commandId: string;
      accountId: string;
      amount: number;
      withdrawalPosition: number;
    }
  | { type: 'cancel'; commandId: string; reason: CancellationReason; detail?: string }
  | { type: 'ship'; commandId: string; shipmentId: string };

export interface CheckoutOutput {
  /** Recorded once the commands are carried out: a step recorded is a step whose effects happened. */
  readonly events: CheckoutEvent[];
  /** Carried out in order. */
  readonly commands: CheckoutCommand[];
}

export interface CheckoutClock {
  readonly now: Date;
  readonly paymentTimeoutMs: number;
}

export type CheckoutStep =
  'withdraw' | 'refund' | 'deadline' | 'record-payment' | 'cancel' | 'ship';

/** The id of every command a saga sends, derived outside the domain: the same step of the same saga, the same id. */
export type CommandIdOf = (orderId: string, step: CheckoutStep) => string;

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

const NOTHING: CheckoutOutput = { events: [], commands: [] };

/** A message that does not fit the stage (a repeat, a late refusal) decides nothing: redelivery is harmless. */
export function decide(
  state: CheckoutState,
  message: CheckoutMessage,
  clock: CheckoutClock,
  commandIdOf: CommandIdOf,
): CheckoutOutput {
  if (message.type === 'order-placed')
    return state.stage === 'none' ? start(message, clock, commandIdOf) : NOTHING;
  if (state.stage === 'none') return NOTHING;
  const { orderId } = state;
  const command = (step: CheckoutStep) => commandIdOf(orderId, step);
  switch (message.type) {
    case 'payment-succeeded': {
      const { withdrawalPosition } = message;
      if (state.stage === 'awaiting-payment') {
        const { accountId, amount } = state;
        return {
          events: [{ type: 'CheckoutPaymentReceived', data: { orderId, withdrawalPosition } }],
          commands: [
            {
              type: 'record-payment',
              commandId: command('record-payment'),
              accountId,
              amount,
              withdrawalPosition,
            },
          ],
        };
      }
      if (state.stage !== 'timed-out') return NOTHING;
      // Paid after the order was cancelled: the money goes back.
      const refundCommandId = command('refund');
      return {
        events: [
          {
            type: 'CheckoutRefundRequested',
            data: { orderId, amount: state.amount, refundCommandId, withdrawalPosition },
          },
        ],
        commands: [refund(state, commandIdOf)],
      };
    }
    case 'payment-declined':
      if (state.stage !== 'awaiting-payment') return NOTHING;
      return {
        events: [{ type: 'CheckoutPaymentDeclined', data: { orderId, reason: message.reason } }],
        commands: [
          {
            type: 'cancel',
            commandId: command('cancel'),
            reason: 'payment-declined',
            detail: message.reason,
          },
        ],
      };
    case 'deadline-reached':
      if (state.stage !== 'awaiting-payment') return NOTHING;
      return {
        events: [{ type: 'CheckoutPaymentTimedOut', data: { orderId } }],
        commands: [{ type: 'cancel', commandId: command('cancel'), reason: 'payment-timeout' }],
      };
    case 'refund-succeeded':
      if (state.stage !== 'refunding') return NOTHING;
      return {
        events: [
          { type: 'CheckoutRefunded', data: { orderId, depositPosition: message.depositPosition } },
        ],
        commands: [],
      };
    case 'shipment-dispatched': {
      if (state.stage !== 'paid') return NOTHING;
      const { shipmentId } = message;
      return {
        events: [{ type: 'CheckoutCompleted', data: { orderId, shipmentId } }],
        commands: [{ type: 'ship', commandId: command('ship'), shipmentId }],
      };
    }
    default: {
      const unhandled: never = message;
      return unhandled;
    }
  }
}

function start(
  {
    orderId,
    customerId,
    accountId,
    amount,
    currency,
  }: Extract<CheckoutMessage, { type: 'order-placed' }>,
  { now, paymentTimeoutMs }: CheckoutClock,
  commandIdOf: CommandIdOf,
): CheckoutOutput {
  const dueAt = new Date(now.getTime() + paymentTimeoutMs).toISOString();
  const paymentCommandId = commandIdOf(orderId, 'withdraw');
  const started = { orderId, customerId, accountId, amount, currency, paymentCommandId, dueAt };
  return {
    events: [{ type: 'CheckoutStarted', data: started }],
    commands: [withdrawal({ stage: 'awaiting-payment', ...started }, commandIdOf)],
  };
}

/** The timer's notice, when the payment is still unanswered at its deadline. */
export function announceDeadline(state: CheckoutState, now: Date): CheckoutEvent[] {
  if (state.stage !== 'awaiting-payment' || state.deadlineReached) return [];
  if (now.getTime() < Date.parse(state.dueAt)) return [];
  return [{ type: 'CheckoutDeadlineReached', data: { orderId: state.orderId } }];
}

/** The command to the accounts context still unanswered, which may be sent again as it is (same command id). */
export function pendingCommand(
  state: CheckoutState,
  commandIdOf: CommandIdOf,
): CheckoutCommand | undefined {
  // Past its deadline a withdrawal is not asked for again: it could only be refunded.
  if (state.stage === 'awaiting-payment')
    return state.deadlineReached ? undefined : withdrawal(state, commandIdOf);
  return state.stage === 'refunding' ? refund(state, commandIdOf) : undefined;
}

type Started = Exclude<CheckoutState, { stage: 'none' }>;

/** A withdrawal and its refund move the same amount on the same account. */
function moneyMove(state: Started, commandIdOf: CommandIdOf, step: 'withdraw' | 'refund') {
  return {
    commandId: commandIdOf(state.orderId, step),
    accountId: state.accountId,
    amount: state.amount,
  };
}

function withdrawal(state: Started, commandIdOf: CommandIdOf): CheckoutCommand {
  return {
    type: 'withdraw',
    ...moneyMove(state, commandIdOf, 'withdraw'),
    currency: state.currency,
    ...(state.customerId !== null && { ownedBy: state.customerId }),
    description: `Order ${state.orderId}`,
  };
}

function refund(state: Started, commandIdOf: CommandIdOf): CheckoutCommand {
  return {
    type: 'deposit',
    ...moneyMove(state, commandIdOf, 'refund'),
    description: `Refund of order ${state.orderId}: paid after its checkout timed out`,
  };
}

export const checkoutDefinition: AggregateDefinition<CheckoutState, CheckoutEvent> = {
  streamType: 'checkout',
  initialState,
  evolve,
};
