import type { EntityManager } from 'typeorm';
import { orderDefinition } from './domain/order.js';
import type { OrderPlaced } from './domain/order.events.js';

const ORDER_PLACED: OrderPlaced['type'] = 'OrderPlaced';
const streamIdOf = (orderId: string) => `${orderDefinition.streamType}-${orderId}`;

/**
 * The customer of each of these orders, from its OrderPlaced, read on the caller's transaction (a read model of
 * another context that needs it: the orders' stream names and payload stay this context's business).
 */
export async function customersOfOrders(
  tx: EntityManager,
  orderIds: readonly string[],
): Promise<Map<string, string>> {
  const found: Array<{ stream_id: string; customer_id: string }> = await tx.query(
    `SELECT stream_id, data->>'customerId' AS customer_id FROM events
     WHERE stream_id = ANY($1::text[]) AND type = $2`,
    [orderIds.map(streamIdOf), ORDER_PLACED],
  );
  const byStream = new Map(found.map((row) => [row.stream_id, row.customer_id.toLowerCase()]));
  const customers = new Map<string, string>();
  for (const orderId of orderIds) {
    const customerId = byStream.get(streamIdOf(orderId));
    if (customerId !== undefined) customers.set(orderId, customerId);
  }
  return customers;
}
