import type { DeclaredProjection, ProjectedEvent } from '../../projections/index.js';
import type { ShipmentCreated } from '../../shipping/index.js';
import { ORDER_EVENT_TYPES, type OrderEvent } from '../domain/order.events.js';
import { OrderView, type OrderViewStatus } from './order-view.entity.js';

/** What the orders read model folds: the order's events and the shipment shipping created for it. */
export type OrderViewEvent = OrderEvent | ShipmentCreated;

/**
 * `version` skips any order event the row already reflects; ShipmentCreated (another stream) is applied once, when
 * the row has no shipment yet.
 */
export function evolveOrder(
  row: OrderView | null,
  event: ProjectedEvent<OrderViewEvent>,
): OrderView | null {
  if (event.type === 'OrderPlaced') return row ?? placed(event);
  if (event.type === 'OrderNotPlaced') return row ?? notPlaced(event);
  // Every other event follows OrderPlaced in the log: a missing row is a broken stream, to be dead-lettered.
  if (!row) throw new Error(`${event.type} for order ${event.data.orderId}, never placed`);
  if (event.type === 'ShipmentCreated') {
    if (row.shipmentId) return row;
    return withStatus({ ...row, shipmentId: event.data.shipmentId, updatedAt: event.recordedAt });
  }
  if (event.streamVersion <= row.version) return row;
  const moved = { ...row, version: event.streamVersion, updatedAt: event.recordedAt };
  switch (event.type) {
    case 'PaymentProcessed':
      return withStatus({
        ...moved,
        paidAmount: event.data.amount,
        withdrawalPosition: event.data.withdrawalPosition ?? null,
        paidAt: event.recordedAt,
      });
    case 'OrderShipped':
      return withStatus({
        ...moved,
        shipmentId: event.data.shipmentId,
        shippedAt: event.recordedAt,
      });
    case 'OrderCancelled':
      return withStatus({
        ...moved,
        cancellationReason: event.data.reason,
        cancellationDetail: event.data.detail ?? null,
        cancelledAt: event.recordedAt,
      });
    default: {
      const unhandled: never = event;
      throw new Error(`Unhandled order event ${(unhandled as OrderEvent).type}`);
    }
  }
}

/** Cancelled from the start: the row tells the client holding the checkout's order id why no order came. */
function notPlaced(
  event: ProjectedEvent<Extract<OrderEvent, { type: 'OrderNotPlaced' }>>,
): OrderView {
  return {
    ...placed(event),
    status: 'cancelled',
    cancellationReason: event.data.reason,
    cancelledAt: event.recordedAt,
  };
}

function placed(
  event: ProjectedEvent<Extract<OrderEvent, { type: 'OrderPlaced' | 'OrderNotPlaced' }>>,
): OrderView {
  const { orderId, cartId, customerId, accountId, currency, total, lines } = event.data;
  return {
    id: orderId,
    seq: event.globalPosition,
    cartId,
    customerId,
    accountId,
    status: 'placed',
    currency,
    total,
    lines,
    paidAmount: null,
    withdrawalPosition: null,
    paidAt: null,
    shipmentId: null,
    shippedAt: null,
    cancellationReason: null,
    cancellationDetail: null,
    cancelledAt: null,
    version: event.streamVersion,
    placedAt: event.recordedAt,
    updatedAt: event.recordedAt,
  };
}

const withStatus = (order: OrderView): OrderView => ({ ...order, status: statusOf(order) });

function statusOf(order: OrderView): OrderViewStatus {
  if (order.cancelledAt) return 'cancelled';
  if (order.shippedAt) return 'shipped';
  if (order.paidAt) return order.shipmentId ? 'awaiting-shipment' : 'paid';
  return 'placed';
}

/** `orders`: one row per order, from its events and the shipment shipping created for it. */
export const orderViews: DeclaredProjection<OrderView, OrderViewEvent> = {
  name: 'orders',
  eventTypes: [...ORDER_EVENT_TYPES, 'ShipmentCreated'],
  entity: OrderView,
  rowId: (event) => event.data.orderId,
  evolve: evolveOrder,
  insertOnly: [
    'seq',
    'cartId',
    'customerId',
    'accountId',
    'currency',
    'total',
    'lines',
    'placedAt',
  ],
  overwriteWhen:
    't.version < EXCLUDED.version OR (t.shipment_id IS NULL AND EXCLUDED.shipment_id IS NOT NULL)',
};
