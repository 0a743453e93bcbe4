import type { EventTypeDefinition } from '../../event-store/index.js';

/**
 * The checkout saga's own stream, `checkout-<orderId>`: what it asked for and what it concluded, so that after a
 * crash it resumes from here. Each type occurs at most once per saga.
 */
export type CheckoutStarted = {
  type: 'CheckoutStarted';
  data: {
    orderId: string;
    /** The order's customer: the withdrawal is only from an account they own. */
    customerId: string | null;
    accountId: string;
    amount: number;
    currency: string;
    /** The withdrawal's command id: its answer carries it in the metadata. */
    paymentCommandId: string;
    /** Without an answer by then (ISO-8601), the order is cancelled. */
    dueAt: string;
  };
};
export type CheckoutPaymentReceived = {
  type: 'CheckoutPaymentReceived';
  data: { orderId: string; withdrawalPosition: number };
};
export type CheckoutPaymentDeclined = {
  type: 'CheckoutPaymentDeclined';
  data: { orderId: string; reason: string };
};
/** A notice from the timer, not a decision: the saga decides on it in log order, like on any answer. */
export type CheckoutDeadlineReached = {
  type: 'CheckoutDeadlineReached';
  data: { orderId: string };
};
export type CheckoutPaymentTimedOut = {
  type: 'CheckoutPaymentTimedOut';
  data: { orderId: string };
};
export type CheckoutRefundRequested = {
  type: 'CheckoutRefundRequested';
  data: { orderId: string; amount: number; refundCommandId: string; withdrawalPosition: number };
};
export type CheckoutRefunded = {
  type: 'CheckoutRefunded';
  data: { orderId: string; depositPosition: number };
};
export type CheckoutCompleted = {
  type: 'CheckoutCompleted';
  data: { orderId: string; shipmentId: string };
};

export type CheckoutEvent =
  | CheckoutStarted
  | CheckoutPaymentReceived
  | CheckoutPaymentDeclined
  | CheckoutDeadlineReached
  | CheckoutPaymentTimedOut
  | CheckoutRefundRequested
  | CheckoutRefunded
  | CheckoutCompleted;

export const CHECKOUT_EVENT_TYPES: ReadonlyArray<CheckoutEvent['type']> = [
  'CheckoutStarted',
  'CheckoutPaymentReceived',
  'CheckoutPaymentDeclined',
  'CheckoutDeadlineReached',
  'CheckoutPaymentTimedOut',
  'CheckoutRefundRequested',
  'CheckoutRefunded',
  'CheckoutCompleted',
];

/**
 * CheckoutStarted v2 added `customerId`. A v1 saga asked for its payment before accounts had owners: it has none
 * (null), and the withdrawal it sends again is the one it sent then, with no owner to match.
 */
export const CHECKOUT_EVENT_DEFINITIONS: readonly EventTypeDefinition[] = CHECKOUT_EVENT_TYPES.map(
  (type) =>
    type === 'CheckoutStarted'
      ? { type, schemaVersion: 2, upcasters: { 1: (data) => ({ ...data, customerId: null }) } }
      : { type, schemaVersion: 1 },
);
