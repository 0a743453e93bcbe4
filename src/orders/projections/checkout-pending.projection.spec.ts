import { at, projectionSpecFor } from '../../projections/testing/entity-projection-spec.js';
import type { CheckoutEvent } from '../domain/checkout.events.js';
import type { CheckoutPending } from './checkout-pending.entity.js';
import { checkoutPending } from './checkout-pending.projection.js';

const given = projectionSpecFor(checkoutPending);
/** A checkout event at `version` of its stream, recorded at `recordedAt`. */
const on = (event: CheckoutEvent, version: number, recordedAt: string) =>
  at(event, version, recordedAt);
const orderId = '9c1c2d3e-0000-4000-8000-000000000001';
const started: CheckoutEvent = {
  type: 'CheckoutStarted',
  data: {
    orderId,
    customerId: null,
    accountId: '9c1c2d3e-0000-4000-8000-0000000000ac',
    amount: 1_200,
    currency: 'EUR',
    paymentCommandId: '9c1c2d3e-0000-4000-8000-0000000000cd',
    dueAt: '2026-12-01T10:00:30.000Z',
  },
};
const payment: CheckoutPending = {
  orderId,
  kind: 'payment',
  dueAt: new Date('2026-12-01T10:00:30.000Z'),
  requestedAt: new Date('2026-12-01T10:00:00.000Z'),
};

describe('checkout pending requests', () => {
  it('holds the payment from its request until an answer, due at the deadline', () => {
    given([on(started, 1, '2026-12-01T10:00:00.000Z')]).then([payment]);
    given([
      on(started, 1, '2026-12-01T10:00:00.000Z'),
      on(
        { type: 'CheckoutPaymentReceived', data: { orderId, withdrawalPosition: 7 } },
        2,
        '2026-12-01T10:00:01.000Z',
      ),
    ]).then([]);
  });

  it('holds a refund, with no deadline, after the payment timed out, until it is refunded', () => {
    const timedOut = [
      on(started, 1, '2026-12-01T10:00:00.000Z'),
      on({ type: 'CheckoutDeadlineReached', data: { orderId } }, 2, '2026-12-01T10:00:30.000Z'),
      on({ type: 'CheckoutPaymentTimedOut', data: { orderId } }, 3, '2026-12-01T10:00:30.000Z'),
      on(
        {
          type: 'CheckoutRefundRequested',
          data: { orderId, amount: 1_200, refundCommandId: 'r', withdrawalPosition: 9 },
        },
        4,
        '2026-12-01T10:01:00.000Z',
      ),
    ];
    given([...timedOut]).then([
      { orderId, kind: 'refund', dueAt: null, requestedAt: new Date('2026-12-01T10:01:00.000Z') },
    ]);
    given([
      ...timedOut,
      on(
        { type: 'CheckoutRefunded', data: { orderId, depositPosition: 11 } },
        5,
        '2026-12-01T10:01:02.000Z',
      ),
    ]).then([]);
  });

  it('is not touched by a declined payment already answered, nor by the completion', () => {
    given([
      on(
        { type: 'CheckoutPaymentDeclined', data: { orderId, reason: 'insufficient-funds' } },
        2,
        '2026-12-01T10:00:01.000Z',
      ),
      on(
        { type: 'CheckoutCompleted', data: { orderId, shipmentId: 's' } },
        3,
        '2026-12-01T10:00:02.000Z',
      ),
    ]).then([]);
  });
});
