import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PersistedEvent } from '../../event-store/persisted-event.js';
import { Projection, type ProjectionHandler } from '../../projections/projection.js';
import type { ShipmentCreated } from '../../shipping/index.js';
import { ORDER_EVENT_TYPES, type OrderEvent, type OrderLine } from '../domain/order.events.js';

export type OrderViewStatus = 'placed' | 'paid' | 'awaiting-shipment' | 'shipped' | 'cancelled';

export const ORDER_VIEW_STATUSES: readonly OrderViewStatus[] = [
  'placed',
  'paid',
  'awaiting-shipment',
  'shipped',
  'cancelled',
];

/** A row of `orders`, as the projection folds it (timestamps as ISO text, money as safe integers). */
interface OrderRow {
  id: string;
  seq: number;
  cartId: string;
  customerId: string;
  accountId: string;
  status: OrderViewStatus;
  currency: string;
  total: number;
  lines: OrderLine[];
  paidAmount: number | null;
  withdrawalPosition: number | null;
  paidAt: string | null;
  shipmentId: string | null;
  shippedAt: string | null;
  cancellationReason: string | null;
  cancellationDetail: string | null;
  cancelledAt: string | null;
  version: number;
  placedAt: string;
  updatedAt: string;
}

const SHIPMENT_CREATED: ShipmentCreated['type'] = 'ShipmentCreated';

const COLUMNS = `id, seq, cart_id, customer_id, account_id, status, currency, total, lines, paid_amount,
  withdrawal_position, paid_at::text, shipment_id, shipped_at::text, cancellation_reason, cancellation_detail,
  cancelled_at::text, version, placed_at::text, updated_at::text`;

/**
 * One row per order, from its events and the shipment shipping created for it (awaiting-shipment, and the
 * shipment id a client dispatches). A batch is folded in memory over the rows it touches and written with one
 * upsert; `version` skips any order event a row already reflects.
 */
@Projection('orders')
@Injectable()
export class OrdersProjection implements ProjectionHandler {
  readonly eventTypes = [...ORDER_EVENT_TYPES, SHIPMENT_CREATED];
  readonly tables = ['orders'];

  async apply(events: readonly PersistedEvent[], tx: EntityManager): Promise<void> {
    const ids = [...new Set(events.map((e) => (e.data as { orderId: string }).orderId))];
    const stored: Array<Record<string, unknown>> = await tx.query(
      `SELECT ${COLUMNS} FROM orders WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    const orders = new Map(stored.map((r) => [r.id as string, fromRow(r)]));
    const changed = new Set<OrderRow>();

    for (const event of events) {
      const at = event.recordedAt.toISOString();
      const orderId = (event.data as { orderId: string }).orderId;
      const order = orders.get(orderId);
      if (event.type === 'OrderPlaced') {
        if (order) continue;
        const placed = placedRow(event, at);
        orders.set(orderId, placed);
        changed.add(placed);
        continue;
      }
      // Every other event follows OrderPlaced in the log: a missing row is a broken stream, to be dead-lettered.
      if (!order) throw new Error(`${event.type} for order ${orderId}, never placed`);
      if (event.type === SHIPMENT_CREATED) {
        if (order.shipmentId) continue;
        order.shipmentId = (event.data as ShipmentCreated['data']).shipmentId;
      } else {
        if (event.streamVersion <= order.version) continue;
        evolve(order, { type: event.type, data: event.data } as OrderEvent, at, event);
        order.version = event.streamVersion;
      }
      order.status = statusOf(order);
      order.updatedAt = at;
      changed.add(order);
    }
    if (changed.size > 0) await upsert(tx, [...changed]);
  }
}

function placedRow(event: PersistedEvent, at: string): OrderRow {
  const data = event.data as Extract<OrderEvent, { type: 'OrderPlaced' }>['data'];
  return {
    id: data.orderId,
    seq: event.globalPosition,
    cartId: data.cartId,
    customerId: data.customerId,
    accountId: data.accountId,
    status: 'placed',
    currency: data.currency,
    total: data.total,
    lines: data.lines,
    paidAmount: null,
    withdrawalPosition: null,
    paidAt: null,
    shipmentId: null,
    shippedAt: null,
    cancellationReason: null,
    cancellationDetail: null,
    cancelledAt: null,
    version: event.streamVersion,
    placedAt: at,
    updatedAt: at,
  };
}

function evolve(order: OrderRow, event: OrderEvent, at: string, stored: PersistedEvent): void {
  switch (event.type) {
    case 'OrderPlaced':
      throw new Error(`Order ${order.id} placed twice (event ${stored.eventId})`);
    case 'PaymentProcessed':
      order.paidAmount = event.data.amount;
      order.withdrawalPosition = event.data.withdrawalPosition ?? null;
      order.paidAt = at;
      break;
    case 'OrderShipped':
      order.shipmentId = event.data.shipmentId;
      order.shippedAt = at;
      break;
    case 'OrderCancelled':
      order.cancellationReason = event.data.reason;
      order.cancellationDetail = event.data.detail ?? null;
      order.cancelledAt = at;
      break;
    default: {
      const unhandled: never = event;
      throw new Error(`Unhandled order event ${(unhandled as OrderEvent).type}`);
    }
  }
}

function statusOf(
  order: Pick<OrderRow, 'cancelledAt' | 'shippedAt' | 'paidAt' | 'shipmentId'>,
): OrderViewStatus {
  if (order.cancelledAt) return 'cancelled';
  if (order.shippedAt) return 'shipped';
  if (order.paidAt) return order.shipmentId ? 'awaiting-shipment' : 'paid';
  return 'placed';
}

const number = (value: unknown) => (value === null ? null : Number(value));

function fromRow(r: Record<string, unknown>): OrderRow {
  return {
    id: r.id as string,
    seq: Number(r.seq),
    cartId: r.cart_id as string,
    customerId: r.customer_id as string,
    accountId: r.account_id as string,
    status: r.status as OrderViewStatus,
    currency: r.currency as string,
    total: Number(r.total),
    lines: r.lines as OrderLine[],
    paidAmount: number(r.paid_amount),
    withdrawalPosition: number(r.withdrawal_position),
    paidAt: r.paid_at as string | null,
    shipmentId: r.shipment_id as string | null,
    shippedAt: r.shipped_at as string | null,
    cancellationReason: r.cancellation_reason as string | null,
    cancellationDetail: r.cancellation_detail as string | null,
    cancelledAt: r.cancelled_at as string | null,
    version: r.version as number,
    placedAt: r.placed_at as string,
    updatedAt: r.updated_at as string,
  };
}

async function upsert(tx: EntityManager, rows: OrderRow[]): Promise<void> {
  const column = <K extends keyof OrderRow>(key: K) => rows.map((r) => r[key]);
  await tx.query(
    `INSERT INTO orders (id, seq, cart_id, customer_id, account_id, status, currency, total, lines, paid_amount,
       withdrawal_position, paid_at, shipment_id, shipped_at, cancellation_reason, cancellation_detail,
       cancelled_at, version, placed_at, updated_at)
     SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::uuid[], $4::uuid[], $5::uuid[], $6::text[], $7::char(3)[],
       $8::bigint[], $9::jsonb[], $10::bigint[], $11::bigint[], $12::timestamptz[], $13::uuid[],
       $14::timestamptz[], $15::text[], $16::text[], $17::timestamptz[], $18::int[], $19::timestamptz[],
       $20::timestamptz[])
     ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, paid_amount = EXCLUDED.paid_amount,
       withdrawal_position = EXCLUDED.withdrawal_position, paid_at = EXCLUDED.paid_at,
       shipment_id = EXCLUDED.shipment_id, shipped_at = EXCLUDED.shipped_at,
       cancellation_reason = EXCLUDED.cancellation_reason, cancellation_detail = EXCLUDED.cancellation_detail,
       cancelled_at = EXCLUDED.cancelled_at, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
     WHERE orders.version < EXCLUDED.version
        OR (orders.shipment_id IS NULL AND EXCLUDED.shipment_id IS NOT NULL)`,
    [
      column('id'),
      column('seq'),
      column('cartId'),
      column('customerId'),
      column('accountId'),
      column('status'),
      column('currency'),
      column('total'),
      rows.map((r) => JSON.stringify(r.lines)),
      column('paidAmount'),
      column('withdrawalPosition'),
      column('paidAt'),
      column('shipmentId'),
      column('shippedAt'),
      column('cancellationReason'),
      column('cancellationDetail'),
      column('cancelledAt'),
      column('version'),
      column('placedAt'),
      column('updatedAt'),
    ],
  );
}
