import {
  announceDeadline,
  checkoutCommandId,
  decide,
  evolve,
  initialState,
  pendingRequest,
  type CheckoutDecision,
  type CheckoutTrigger,
} from './checkout.js';
import { EventTypeRegistry } from '../../event-store/event-type-registry.js';
import { PersistedEvent } from '../../event-store/persisted-event.js';
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

/** given(saga history).when(trigger).then(decision): the saga's decisions without a database. */
const given = (history: CheckoutEvent[]) => ({
  when: (trigger: CheckoutTrigger) => ({
    then(expected: Partial<CheckoutDecision>) {
      const state = history.reduce(evolve, initialState());
      const decision = decide(state, trigger, { now: NOW, paymentTimeoutMs: 30_000 });
      expect(decision).toEqual({ events: [], ...expected });
    },
  }),
});

const placed: CheckoutTrigger = {
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
      .then({ events: [started()], request: withdraw });
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
        order: { type: 'record-payment', accountId, amount: 2_500, withdrawalPosition: 77 },
      });
  });

  it('cancels the order on a refusal (the compensation)', () => {
    given([started()])
      .when({ type: 'payment-declined', reason: 'insufficient-funds' })
      .then({
        events: [declined()],
        order: { type: 'cancel', reason: 'payment-declined', detail: 'insufficient-funds' },
      });
  });

  it("asks for the payment in the order's currency, so an account in another one refuses it", () => {
    given([])
      .when({ ...placed, currency: 'JPY' })
      .then({
        events: [{ ...started(), data: { ...started().data, currency: 'JPY' } } as CheckoutEvent],
        request: { ...withdraw, currency: 'JPY' },
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
        request: { ...withdraw, ownedBy: 'c0ffee00-0000-4000-8000-000000000001' },
      });
  });

  it("cancels the order when the account is not the customer's (refused as a missing one)", () => {
    given([started()])
      .when({ type: 'payment-declined', reason: 'account-not-found' })
      .then({
        events: [
          { type: 'CheckoutPaymentDeclined', data: { orderId, reason: 'account-not-found' } },
        ],
        order: { type: 'cancel', reason: 'payment-declined', detail: 'account-not-found' },
      });
  });

  it('cancels the order when the account is in another currency', () => {
    given([started()])
      .when({ type: 'payment-declined', reason: 'currency-mismatch' })
      .then({
        events: [
          { type: 'CheckoutPaymentDeclined', data: { orderId, reason: 'currency-mismatch' } },
        ],
        order: { type: 'cancel', reason: 'payment-declined', detail: 'currency-mismatch' },
      });
  });

  it('cancels the order when the deadline passes unanswered', () => {
    given([started(), deadline()])
      .when({ type: 'deadline-reached' })
      .then({ events: [timedOut()], order: { type: 'cancel', reason: 'payment-timeout' } });
  });

  it('refunds a payment that arrives after the timeout, then notes the refund', () => {
    given([started(), deadline(), timedOut()])
      .when({ type: 'payment-succeeded', withdrawalPosition: 91 })
      .then({ events: [refundRequested()], request: deposit });
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
        order: { type: 'ship', shipmentId },
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
      expect(pendingRequest(state([started()]))).toEqual(withdraw);
      expect(pendingRequest(state([started(), deadline(), timedOut(), refundRequested()]))).toEqual(
        deposit,
      );
      expect(pendingRequest(state([started(), received()]))).toBeUndefined();
      expect(pendingRequest(state([started(), deadline()]))).toBeUndefined();
    });

    it('resends the request of a saga started before accounts had owners as it was sent: no owner', () => {
      const registry = new EventTypeRegistry();
      registry.register(...CHECKOUT_EVENT_DEFINITIONS);
      const { customerId: _, ...v1 } = (started() as CheckoutStarted).data;
      const stored = new PersistedEvent(
        'e',
        `checkout-${orderId}`,
        1,
        1,
        '1',
        'CheckoutStarted',
        1,
        v1,
        {},
        NOW,
      );
      const legacy = {
        type: 'CheckoutStarted',
        data: registry.upcast(stored).data,
      } as CheckoutEvent;
      const { ownedBy: __, ...unowned } = withdraw;
      expect(pendingRequest(state([legacy]))).toEqual(unowned);
    });
  });
});
