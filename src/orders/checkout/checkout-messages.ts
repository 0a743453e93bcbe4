import type { MoneyDeposited, MoneyWithdrawn, WithdrawalRejected } from '../../accounts/index.js';
import type { PersistedEvent } from '../../event-store/index.js';
import type { ShipmentDispatched } from '../../shipping/index.js';
import type { CheckoutMessage } from '../domain/checkout.js';
import type { CheckoutDeadlineReached, CheckoutEvent } from '../domain/checkout.events.js';
import type { OrderPlaced } from '../domain/order.events.js';
import { checkoutCommandId } from './checkout-ids.js';

/** The event types the saga reads: its messages (the timer's notice is one of its own events). */
export const CHECKOUT_SAGA_EVENT_TYPES: readonly string[] = [
  'OrderPlaced' satisfies OrderPlaced['type'],
  'MoneyWithdrawn' satisfies MoneyWithdrawn['type'],
  'WithdrawalRejected' satisfies WithdrawalRejected['type'],
  'MoneyDeposited' satisfies MoneyDeposited['type'],
  'ShipmentDispatched' satisfies ShipmentDispatched['type'],
  'CheckoutDeadlineReached' satisfies CheckoutDeadlineReached['type'],
];

/**
 * Which saga and message an event is, and the checkout's correlation id when it carries one. Answers match by the
 * saga's own metadata (saga id and the step's command id), so an HTTP deposit or withdrawal is never taken for one.
 */
export function messageOf(
  event: PersistedEvent,
): { orderId: string; message: CheckoutMessage; correlationId?: string } | undefined {
  const { correlationId: carried } = event.metadata;
  const correlationId = typeof carried === 'string' ? carried : undefined;
  switch (event.type) {
    case 'OrderPlaced': {
      const { orderId, customerId, accountId, total, currency } = event.data as OrderPlaced['data'];
      const amount = total;
      return {
        orderId,
        message: { type: 'order-placed', orderId, customerId, accountId, amount, currency },
        correlationId: correlationId ?? orderId,
      };
    }
    case 'MoneyWithdrawn':
    case 'WithdrawalRejected': {
      const orderId = answered(event, 'withdraw');
      if (!orderId) return undefined;
      const message: CheckoutMessage =
        event.type === 'MoneyWithdrawn'
          ? { type: 'payment-succeeded', withdrawalPosition: event.globalPosition }
          : {
              type: 'payment-declined',
              reason: (event.data as WithdrawalRejected['data']).reason,
            };
      return { orderId, message, correlationId: correlationId ?? orderId };
    }
    case 'MoneyDeposited': {
      const orderId = answered(event, 'refund');
      if (!orderId) return undefined;
      return {
        orderId,
        message: { type: 'refund-succeeded', depositPosition: event.globalPosition },
        correlationId: correlationId ?? orderId,
      };
    }
    case 'ShipmentDispatched': {
      const { orderId, shipmentId } = event.data as ShipmentDispatched['data'];
      return { orderId, message: { type: 'shipment-dispatched', shipmentId } };
    }
    case 'CheckoutDeadlineReached': {
      const { orderId } = event.data as CheckoutEvent['data'];
      return {
        orderId,
        message: { type: 'deadline-reached' },
        correlationId: correlationId ?? orderId,
      };
    }
    default:
      // The saga's other events are its own decisions, not messages.
      return undefined;
  }
}

/** The order whose saga sent the command this event answers, if one did. */
function answered(event: PersistedEvent, step: 'withdraw' | 'refund'): string | undefined {
  const { sagaId, correlationId, commandId } = event.metadata;
  // A saga's command ids are name-based (version 8): any other (an HTTP command's) answers no saga, unhashed.
  if (typeof commandId !== 'string' || commandId[14] !== '8') return undefined;
  if (typeof sagaId === 'string')
    return commandId === checkoutCommandId(sagaId, step) ? sagaId : undefined;
  // Answers stored before the saga id (older data) carry the order id as their correlation id.
  if (typeof correlationId !== 'string') return undefined;
  return commandId === checkoutCommandId(correlationId, step) ? correlationId : undefined;
}
