import type { MoneyDeposited, MoneyWithdrawn, WithdrawalRejected } from '../../accounts/index.js';
import type { PersistedEvent } from '../../event-store/persisted-event.js';
import type { ShipmentDispatched } from '../../shipping/index.js';
import { checkoutCommandId, type CheckoutTrigger } from '../domain/checkout.js';
import { CHECKOUT_EVENT_TYPES, type CheckoutEvent } from '../domain/checkout.events.js';
import type { OrderPlaced } from '../domain/order.events.js';

/** The event types the saga reads: its triggers, and its own events for the pending requests table. */
export const CHECKOUT_SAGA_EVENT_TYPES: readonly string[] = [
  'OrderPlaced' satisfies OrderPlaced['type'],
  'MoneyWithdrawn' satisfies MoneyWithdrawn['type'],
  'WithdrawalRejected' satisfies WithdrawalRejected['type'],
  'MoneyDeposited' satisfies MoneyDeposited['type'],
  'ShipmentDispatched' satisfies ShipmentDispatched['type'],
  ...CHECKOUT_EVENT_TYPES,
];

export type Routed =
  | { orderId: string; trigger: CheckoutTrigger; event: PersistedEvent }
  | { orderId: string; own: CheckoutEvent; event: PersistedEvent };

/**
 * Which saga an event concerns, and as what. An answer from the accounts context is matched by its metadata:
 * the correlation id names the order and the command id must be the saga's own for that step, so a deposit or
 * withdrawal made over HTTP with a made-up correlation id is never taken for one.
 */
export function route(event: PersistedEvent): Routed | undefined {
  switch (event.type) {
    case 'OrderPlaced': {
      const { orderId, customerId, accountId, total, currency } = event.data as OrderPlaced['data'];
      return {
        orderId,
        event,
        trigger: { type: 'order-placed', orderId, customerId, accountId, amount: total, currency },
      };
    }
    case 'MoneyWithdrawn':
    case 'WithdrawalRejected': {
      const orderId = answered(event, 'withdraw');
      if (!orderId) return undefined;
      const trigger: CheckoutTrigger =
        event.type === 'MoneyWithdrawn'
          ? { type: 'payment-succeeded', withdrawalPosition: event.globalPosition }
          : {
              type: 'payment-declined',
              reason: (event.data as WithdrawalRejected['data']).reason,
            };
      return { orderId, event, trigger };
    }
    case 'MoneyDeposited': {
      const orderId = answered(event, 'refund');
      if (!orderId) return undefined;
      return {
        orderId,
        event,
        trigger: { type: 'refund-succeeded', depositPosition: event.globalPosition },
      };
    }
    case 'ShipmentDispatched': {
      const { orderId, shipmentId } = event.data as ShipmentDispatched['data'];
      return { orderId, event, trigger: { type: 'shipment-dispatched', shipmentId } };
    }
    case 'CheckoutDeadlineReached':
      return {
        orderId: (event.data as CheckoutEvent['data']).orderId,
        event,
        trigger: { type: 'deadline-reached' },
      };
    default: {
      const own = { type: event.type, data: event.data } as CheckoutEvent;
      return { orderId: own.data.orderId, event, own };
    }
  }
}

/** The order whose saga sent the command this event answers, if one did. */
function answered(event: PersistedEvent, step: 'withdraw' | 'refund'): string | undefined {
  const { correlationId, commandId } = event.metadata;
  if (typeof correlationId !== 'string' || typeof commandId !== 'string') return undefined;
  return commandId === checkoutCommandId(correlationId, step) ? correlationId : undefined;
}
