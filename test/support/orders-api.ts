import type { Server } from 'node:http';
import { ownedAlike, ownerTokenOf } from './carts-api.js';
import request from './http.js';
import type { Queryable } from '../../src/event-store/index.js';
import { eventually } from './eventually.js';

export interface OrderView {
  id: string;
  cartId: string;
  customerId: string;
  accountId: string;
  status: 'placed' | 'paid' | 'awaiting-shipment' | 'shipped' | 'cancelled';
  currency: string;
  total: number;
  lines: Array<{ productId: string; quantity: number; unitPrice: number; lineTotal: number }>;
  version: number;
  placedAt: string;
  updatedAt: string;
  payment?: { amount: number; paidAt: string; withdrawalPosition?: number };
  shipment?: { id: string; href: string; shippedAt?: string };
  cancellation?: { reason: string; detail?: string; cancelledAt: string };
}

/**
 * The orders and shipping APIs as a client sees them: an order checked out through carts-api is read with its
 * cart's customer's token, and so is its shipment; anything else (and dispatching, which is staff's) as the suites'
 * default caller.
 */
export function ordersApi(server: Server) {
  const http = (id?: string) => request(server, ownerTokenOf(id));

  return {
    http,

    /** The order once `until` holds for it (it is placed, paid, shipped... asynchronously). */
    async order(
      id: string,
      until: (order: OrderView) => boolean = () => true,
      timeoutMs = 15_000,
    ): Promise<OrderView> {
      let found: OrderView | undefined;
      await eventually(async () => {
        const res = await http(id).get(`/orders/${id}`);
        expect(res.status).toBe(200);
        found = res.body as OrderView;
        if (found.shipment) ownedAlike(found.shipment.id, id);
        expect(until(found)).toBe(true);
      }, timeoutMs);
      return found!;
    },

    /** A shipment once its own read model has it (the order's link can be seen first: another projection). */
    async shipment(href: string, timeoutMs = 15_000): Promise<Record<string, unknown>> {
      let found: Record<string, unknown> | undefined;
      await eventually(async () => {
        const res = await http(href.split('/').pop()).get(href);
        expect(res.status).toBe(200);
        found = res.body as Record<string, unknown>;
      }, timeoutMs);
      return found!;
    },

    async dispatch(shipmentId: string) {
      const res = await http().post(`/shipments/${shipmentId}/dispatch`).expect(200);
      return res.body as { id: string; version: number; position: number };
    },
  };
}

export const settled = (o: OrderView) =>
  ['awaiting-shipment', 'shipped', 'cancelled'].includes(o.status);

/** The events of one stream, in order. */
export async function streamOf(db: Queryable, streamId: string) {
  const { rows } = await db.query(
    `SELECT event_id, type, data, metadata, global_position FROM events
     WHERE stream_id = $1 ORDER BY stream_version`,
    [streamId],
  );
  return rows as Array<{
    event_id: string;
    type: string;
    data: Record<string, unknown>;
    metadata: Record<string, unknown>;
    global_position: string;
  }>;
}
