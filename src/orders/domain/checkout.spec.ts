import {
  announceDeadline,
  decide,
  evolve,
  initialState,
  pendingCommand,
  type CheckoutMessage,
  type CheckoutOutput,
  type CheckoutState,
} from './checkout.js';
import { EventTypeRegistry } from '../../event-store/index.js';
import { persistedEvent } from '../../event-store/testing/persisted-events.js';
import { checkoutCommandId } from '../checkout/checkout-ids.js';
import {
  CHECKOUT_EVENT_DEFINITIONS,
  type CheckoutEvent,
  type CheckoutStarted,
} from './checkout.events.js';

const orderId = '5d2c8a4e-7f1b-8c3d-9e0a-1b2c3d4e5f60';
const accountId = '9a7b3c1d-2e4f-4a6b-8c0d-1e2f3a4b5c6d';
const customerId = '2f8c4d6e-1a3b-4c5d-9e7f-0a1b2c3d4e5f';
const shipmentId = '0e1f2a3b-4c5d-8e6f-9a0b-1c2d3e4f5a6b';
const NOW = new Date('2026-11-22T09:00:00.000Z');
const DUE = '2026-11-22T09:00:30.000Z';
const paymentCommandId = checkoutCommandId(orderId, 'withdraw');
const refundCommandId = checkoutCommandId(orderId, 'refund');

/** given(history).when(message).then({ events, commands }): a workflow spec, as emmett's WorkflowSpecification. */
function workflowSpec<State, Message, Event, Output>(workflow: {
  decide: (state: State, message: Message) => Output;
  evolve: (state: State, event: Event) => State;
  initialState: () => State;
}) {
  return (history: Event[]) => ({
    when: (message: Message) => ({
      then(expected: Output) {
        const state = history.reduce(workflow.evolve, workflow.initialState());
        expect(workflow.decide(state, message)).toEqual(expected);
      },
    }),
  });
}

const clock = { now: NOW, paymentTimeoutMs: 30_000 };
const spec = workflowSpec<CheckoutState, CheckoutMessage, CheckoutEvent, CheckoutOutput>({
  decide: (state, message) => decide(state, message, clock, checkoutCommandId),
  evolve,
  initialState,
});
const given = (history: CheckoutEvent[]) => ({
  when: (message: CheckoutMessage) => ({
    then: (expected: Partial<CheckoutOutput>) =>
      spec(history)
        .when(message)
        .then({ events: [], commands: [], ...expected }),
  }),
});

const placed: CheckoutMessage = {
  type: 'order-placed',
  orderId,
  customerId,
  accountId,
  amount: 2_500,
  currency: 'EUR',
};
const started = (): CheckoutEvent => ({
  type: 'CheckoutStarted',
  data: {
    orderId,
    customerId,
    accountId,
    amount: 2_500,
    currency: 'EUR',
    paymentCommandId,
    dueAt: DUE,
  },
});
const received = (): CheckoutEvent => ({
  type: 'CheckoutPaymentReceived',
  data: { orderId, withdrawalPosition: 77 },
});
const declined = (): CheckoutEvent => ({
  type: 'CheckoutPaymentDeclined',
  data: { orderId, reason: 'insufficient-funds' },
});
const deadline = (): CheckoutEvent => ({ type: 'CheckoutDeadlineReached', data: { orderId } });
const timedOut = (): CheckoutEvent => ({ type: 'CheckoutPaymentTimedOut', data: { orderId } });
const refundRequested = (): CheckoutEvent => ({
  type: 'CheckoutRefundRequested',
  data: { orderId, amount: 2_500, refundCommandId, withdrawalPosition: 91 },
});
const withdraw = {
  type: 'withdraw' as const,
  accountId,
  amount: 2_500,
  currency: 'EUR',
  ownedBy: customerId,
  commandId: paymentCommandId,
  description: `Order ${orderId}`,
};
const cancel = { type: 'cancel' as const, commandId: checkoutCommandId(orderId, 'cancel') };
const deposit = {
  type: 'deposit' as const,
  accountId,
  amount: 2_500,
  commandId: refundCommandId,
  description: expect.stringContaining('Refund of order'),
};

describe('checkout saga', () => {
  it('starts on the order placed: asks for the payment, with a deadline', () => {
    given([])
      .when(placed)
      .then({ events: [started()], commands: [withdraw] });
  });

  it('starts once: the order placed delivered again decides nothing', () => {
    given([started()]).when(placed).then({});
    given([started(), received()]).when(placed).then({});
  });

  it('marks the order paid on the withdrawal', () => {
    given([started()])
      .when({ type: 'payment-succeeded', withdrawalPosition: 77 })
      .then({
        events: [received()],
        commands: [
          {
            type: 'record-payment',
            commandId: checkoutCommandId(orderId, 'record-payment'),
            accountId,
            amount: 2_500,
            withdrawalPosition: 77,
          },
        ],
      });
  });

  it('cancels the order on a refusal (the compensation)', () => {
    given([started()])
      .when({ type: 'payment-declined', reason: 'insufficient-funds' })
      .then({
        events: [declined()],
        commands: [{ ...cancel, reason: 'payment-declined', detail: 'insufficient-funds' }],
      });
  });

  it("asks for the payment in the order's currency, so an account in another one refuses it", () => {
    given([])
      .when({ ...placed, currency: 'JPY' })
      .then({
        events: [{ ...started(), data: { ...started().data, currency: 'JPY' } } as CheckoutEvent],
        commands: [{ ...withdraw, currency: 'JPY' }],
      });
  });

  it("asks for the payment from the order's customer's account only", () => {
    given([])
      .when({ ...placed, customerId: 'c0ffee00-0000-4000-8000-000000000001' })
      .then({
        events: [
          {
            ...started(),
            data: { ...started().data, customerId: 'c0ffee00-0000-4000-8000-000000000001' },
          } as CheckoutEvent,
        ],
        commands: [{ ...withdraw, ownedBy: 'c0ffee00-0000-4000-8000-000000000001' }],
      });
  });

  it("cancels the order when the account is not the customer's (refused as a missing one)", () => {
    given([started()])
      .when({ type: 'payment-declined', reason: 'account-not-found' })
      .then({
        events: [
          { type: 'CheckoutPaymentDeclined', data: { orderId, reason: 'account-not-found' } },
        ],
        commands: [{ ...cancel, reason: 'payment-declined', detail: 'account-not-found' }],
      });
  });

  it('cancels the order when the account is in another currency', () => {
    given([started()])
      .when({ type: 'payment-declined', reason: 'currency-mismatch' })
      .then({
        events: [
          { type: 'CheckoutPaymentDeclined', data: { orderId, reason: 'currency-mismatch' } },
        ],
        commands: [{ ...cancel, reason: 'payment-declined', detail: 'currency-mismatch' }],
      });
  });

  it('cancels the order when the deadline passes unanswered', () => {
    given([started(), deadline()])
      .when({ type: 'deadline-reached' })
      .then({ events: [timedOut()], commands: [{ ...cancel, reason: 'payment-timeout' }] });
  });

  it('refunds a payment that arrives after the timeout, then notes the refund', () => {
    given([started(), deadline(), timedOut()])
      .when({ type: 'payment-succeeded', withdrawalPosition: 91 })
      .then({ events: [refundRequested()], commands: [deposit] });
    given([started(), deadline(), timedOut(), refundRequested()])
      .when({ type: 'refund-succeeded', depositPosition: 95 })
      .then({ events: [{ type: 'CheckoutRefunded', data: { orderId, depositPosition: 95 } }] });
  });

  it('ignores a deadline once answered, and answers that come too late to matter', () => {
    given([started(), received()]).when({ type: 'deadline-reached' }).then({});
    given([started(), declined()]).when({ type: 'deadline-reached' }).then({});
    given([started(), deadline(), timedOut()])
      .when({ type: 'payment-declined', reason: 'insufficient-funds' })
      .then({});
  });

  it('ships the order when its shipment is dispatched, once', () => {
    given([started(), received()])
      .when({ type: 'shipment-dispatched', shipmentId })
      .then({
        events: [{ type: 'CheckoutCompleted', data: { orderId, shipmentId } }],
        commands: [{ type: 'ship', commandId: checkoutCommandId(orderId, 'ship'), shipmentId }],
      });
    given([started(), received(), { type: 'CheckoutCompleted', data: { orderId, shipmentId } }])
      .when({ type: 'shipment-dispatched', shipmentId })
      .then({});
  });

  it('decides nothing for a saga that never started', () => {
    given([]).when({ type: 'payment-succeeded', withdrawalPosition: 1 }).then({});
    given([]).when({ type: 'deadline-reached' }).then({});
  });

  describe('the timer', () => {
    const state = (history: CheckoutEvent[]) => history.reduce(evolve, initialState());

    it('announces the deadline of an unanswered payment once it is due', () => {
      expect(announceDeadline(state([started()]), new Date(DUE))).toEqual([deadline()]);
      expect(announceDeadline(state([started()]), NOW)).toEqual([]);
      expect(announceDeadline(state([started(), received()]), new Date(DUE))).toEqual([]);
      expect(announceDeadline(state([started(), deadline()]), new Date(DUE))).toEqual([]);
    });

    it('resends the unanswered request as it was: the same command id, the same customer', () => {
      expect(pendingCommand(state([started()]), checkoutCommandId)).toEqual(withdraw);
      expect(
        pendingCommand(
          state([started(), deadline(), timedOut(), refundRequested()]),
          checkoutCommandId,
        ),
      ).toEqual(deposit);
      expect(pendingCommand(state([started(), received()]), checkoutCommandId)).toBeUndefined();
      expect(pendingCommand(state([started(), deadline()]), checkoutCommandId)).toBeUndefined();
    });

    it('resends the request of a saga started before accounts had owners as it was sent: no owner', () => {
      const registry = new EventTypeRegistry();
      registry.register(...CHECKOUT_EVENT_DEFINITIONS);
      const { customerId: _, ...v1 } = (started() as CheckoutStarted).data;
      const stored = persistedEvent({ type: 'CheckoutStarted', data: v1 });
      const legacy = {
        type: 'CheckoutStarted',
        data: registry.upcast(stored).data,
      } as CheckoutEvent;
      const { ownedBy: __, ...unowned } = withdraw;
      expect(pendingCommand(state([legacy]), checkoutCommandId)).toEqual(unowned);
    });
  });
});
