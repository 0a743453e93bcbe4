import type { AggregateDefinition } from '../../event-store/index.js';
import type {
  CancellationReason,
  OrderCancelled,
  OrderEvent,
  OrderLine,
  OrderNotPlaced,
  OrderPlaced,
  OrderShipped,
  PaymentProcessed,
} from './order.events.js';
import {
  InvalidOrder,
  OrderAlreadyPaid,
  OrderCancelledAlready,
  OrderNotFound,
  OrderNotPaid,
  OrderShippedElsewhere,
  PaymentMismatch,
} from './order.errors.js';

export const MAX_TOTAL = 1_000_000_000_000;

export type OrderStatus = 'placed' | 'paid' | 'shipped' | 'cancelled';

export type OrderState =
  | { status: 'none' }
  | {
      status: OrderStatus;
      id: string;
      accountId: string;
      total: number;
      shipmentId?: string;
    };

export type PlaceOrder = OrderPlaced['data'];
export type RecordOrderNotPlaced = OrderNotPlaced['data'];
export type RecordPayment = PaymentProcessed['data'];
export type ShipOrder = { orderId: string; shipmentId: string };
export type CancelOrder = { orderId: string; reason: CancellationReason; detail?: string };

export const initialState = (): OrderState => ({ status: 'none' });

export function evolve(state: OrderState, event: OrderEvent): OrderState {
  switch (event.type) {
    case 'OrderPlaced': {
      const { orderId, accountId, total } = event.data;
      return { status: 'placed', id: orderId, accountId, total };
    }
    case 'OrderNotPlaced': {
      const { orderId, accountId, total } = event.data;
      return { status: 'cancelled', id: orderId, accountId, total };
    }
    case 'PaymentProcessed':
      return state.status === 'none' ? state : { ...state, status: 'paid' };
    case 'OrderShipped':
      return state.status === 'none'
        ? state
        : { ...state, status: 'shipped', shipmentId: event.data.shipmentId };
    case 'OrderCancelled':
      return state.status === 'none' ? state : { ...state, status: 'cancelled' };
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

export const totalOf = (lines: readonly OrderLine[]): number =>
  lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0);

/** Placing an order that exists decides nothing: the same checkout, delivered again, places it once. */
export function place(state: OrderState, command: PlaceOrder): OrderPlaced[] {
  if (state.status !== 'none') return [];
  const { orderId, lines, total } = command;
  if (lines.length === 0) throw new InvalidOrder(orderId, 'it has no lines');
  const valid = lines.every(
    (l) => Number.isSafeInteger(l.quantity) && l.quantity > 0 && Number.isSafeInteger(l.unitPrice),
  );
  if (!valid) throw new InvalidOrder(orderId, 'a line has a bad quantity or unit price');
  if (!Number.isSafeInteger(total) || total < 1 || total > MAX_TOTAL || total !== totalOf(lines))
    throw new InvalidOrder(orderId, `its total ${total} is not the sum of its lines`);
  return [{ type: 'OrderPlaced', data: command }];
}

/** A checkout that cannot become an order ends it, once; an order placed already is not touched. */
export function recordNotPlaced(
  state: OrderState,
  command: RecordOrderNotPlaced,
): OrderNotPlaced[] {
  if (state.status !== 'none') return [];
  return [{ type: 'OrderNotPlaced', data: command }];
}

/** No payment after a cancellation; a payment recorded already is not recorded twice. */
export function recordPayment(state: OrderState, command: RecordPayment): PaymentProcessed[] {
  const order = requirePlaced(state, command.orderId);
  if (order.status === 'cancelled') throw new OrderCancelledAlready(order.id, 'paid');
  if (order.status !== 'placed') return [];
  if (command.amount !== order.total || command.accountId !== order.accountId)
    throw new PaymentMismatch(
      order.id,
      { accountId: order.accountId, amount: order.total },
      command,
    );
  return [{ type: 'PaymentProcessed', data: command }];
}

/** No shipping before the payment, nor after a cancellation. */
export function ship(state: OrderState, { orderId, shipmentId }: ShipOrder): OrderShipped[] {
  const order = requirePlaced(state, orderId);
  switch (order.status) {
    case 'placed':
      throw new OrderNotPaid(order.id);
    case 'cancelled':
      throw new OrderCancelledAlready(order.id, 'shipped');
    case 'shipped':
      if (order.shipmentId === shipmentId) return [];
      throw new OrderShippedElsewhere(order.id, order.shipmentId!);
    case 'paid':
      return [{ type: 'OrderShipped', data: { orderId: order.id, shipmentId } }];
  }
}

/** Only an unpaid order is cancelled: a paid one would owe a refund, which this order flow never needs. */
export function cancel(state: OrderState, command: CancelOrder): OrderCancelled[] {
  const order = requirePlaced(state, command.orderId);
  if (order.status === 'cancelled') return [];
  if (order.status !== 'placed') throw new OrderAlreadyPaid(order.id);
  const { orderId, reason, detail } = command;
  return [
    {
      type: 'OrderCancelled',
      data: { orderId, reason, ...(detail === undefined ? {} : { detail }) },
    },
  ];
}

function requirePlaced(state: OrderState, orderId: string) {
  if (state.status === 'none') throw new OrderNotFound(orderId);
  return state;
}

export const orderDefinition: AggregateDefinition<OrderState, OrderEvent> = {
  streamType: 'order',
  initialState,
  evolve,
};
