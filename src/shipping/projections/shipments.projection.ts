import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PersistedEvent } from '../../event-store/persisted-event.js';
import { Projection, type ProjectionHandler } from '../../projections/projection.js';
import type { OrderPlaced } from '../../orders/index.js';
import { SHIPMENT_EVENT_TYPES, type ShipmentEvent } from '../domain/shipment.events.js';

const ORDER_PLACED: OrderPlaced['type'] = 'OrderPlaced';

interface Row {
  id: string;
  orderId: string;
  /** The customer of the order; null only if its OrderPlaced cannot be found (then staff alone see it). */
  customerId: string | null;
  status: 'awaiting-dispatch' | 'dispatched';
  version: number;
  createdAt: Date;
  dispatchedAt: Date | null;
}

/**
 * The customer of each order, from its OrderPlaced: shipment events do not name them, and the order's placement is
 * earlier in the log than its shipment, so it is always there, on a rebuild too.
 */
async function customersOf(tx: EntityManager, orderIds: string[]): Promise<Map<string, string>> {
  if (orderIds.length === 0) return new Map();
  const found: Array<{ order_id: string; customer_id: string }> = await tx.query(
    `SELECT substr(stream_id, 7) AS order_id, data->>'customerId' AS customer_id FROM events
     WHERE stream_id = ANY($1::text[]) AND type = $2`,
    [orderIds.map((id) => `order-${id}`), ORDER_PLACED],
  );
  return new Map(found.map((r) => [r.order_id, r.customer_id.toLowerCase()]));
}

/** One row per shipment, upserted once per batch; `version` skips any event a row already reflects. */
@Projection('shipments')
@Injectable()
export class ShipmentsProjection implements ProjectionHandler {
  readonly eventTypes = SHIPMENT_EVENT_TYPES;
  readonly tables = ['shipments'];

  async apply(events: readonly PersistedEvent[], tx: EntityManager): Promise<void> {
    const ids = [...new Set(events.map((e) => (e.data as ShipmentEvent['data']).shipmentId))];
    const stored: Array<Record<string, unknown>> = await tx.query(
      `SELECT id, order_id, customer_id, status, version, created_at, dispatched_at FROM shipments
       WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    const rows = new Map<string, Row>(
      stored.map((r) => [
        r.id as string,
        {
          id: r.id as string,
          orderId: r.order_id as string,
          customerId: r.customer_id as string | null,
          status: r.status as Row['status'],
          version: r.version as number,
          createdAt: r.created_at as Date,
          dispatchedAt: r.dispatched_at as Date | null,
        },
      ]),
    );
    const created = events.filter((e) => e.type === 'ShipmentCreated');
    const customers = await customersOf(
      tx,
      created.map((e) => (e.data as ShipmentEvent['data']).orderId),
    );
    const changed = new Set<Row>();
    for (const stored of events) {
      const event = { type: stored.type, data: stored.data } as ShipmentEvent;
      const row = rows.get(event.data.shipmentId);
      if (event.type === 'ShipmentCreated') {
        if (row) continue;
        const created: Row = {
          id: event.data.shipmentId,
          orderId: event.data.orderId,
          customerId: customers.get(event.data.orderId) ?? null,
          status: 'awaiting-dispatch',
          version: stored.streamVersion,
          createdAt: stored.recordedAt,
          dispatchedAt: null,
        };
        rows.set(created.id, created);
        changed.add(created);
        continue;
      }
      if (!row)
        throw new Error(`${event.type} for shipment ${event.data.shipmentId}, never created`);
      if (stored.streamVersion <= row.version) continue;
      row.status = 'dispatched';
      row.dispatchedAt = stored.recordedAt;
      row.version = stored.streamVersion;
      changed.add(row);
    }
    if (changed.size === 0) return;
    const upserts = [...changed];
    await tx.query(
      `INSERT INTO shipments (id, order_id, status, version, created_at, dispatched_at, customer_id)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::int[], $5::timestamptz[], $6::timestamptz[],
         $7::uuid[])
       ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, version = EXCLUDED.version,
         dispatched_at = EXCLUDED.dispatched_at
       WHERE shipments.version < EXCLUDED.version`,
      [
        upserts.map((r) => r.id),
        upserts.map((r) => r.orderId),
        upserts.map((r) => r.status),
        upserts.map((r) => r.version),
        upserts.map((r) => r.createdAt),
        upserts.map((r) => r.dispatchedAt),
        upserts.map((r) => r.customerId),
      ],
    );
  }
}
