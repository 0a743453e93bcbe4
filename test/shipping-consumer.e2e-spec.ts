import { DataSource } from 'typeorm';
import type { RunningApp } from '../src/app.factory.js';
import { type PersistedEvent, PostgresEventStore } from '../src/event-store/index.js';
import { ProjectionRunner } from '../src/projections/index.js';
import { CreateShipmentConsumer } from '../src/shipping/commands/create-shipment/create-shipment.consumer.js';
import { shipmentIdOf } from '../src/shipping/shipment-ids.js';
import { cartsApi } from './support/carts-api.js';
import { scratchDatabase, type ScratchDatabase } from './support/database.js';
import { ordersApi, streamOf } from './support/orders-api.js';
import { startTestApp, testConfig } from './support/test-app.js';

describe('shipping: an idempotent consumer of PaymentProcessed', () => {
  let scratch: ScratchDatabase;
  let running: RunningApp;
  let consumer: CreateShipmentConsumer;

  // Its own database, where nothing runs the `shipping` subscriber: the test delivers the messages itself.
  beforeAll(async () => {
    scratch = await scratchDatabase();
    const projections = testConfig().projections;
    const probe = await startTestApp({
      databaseUrl: scratch.url,
      projections: { ...projections, run: false },
    });
    const run = probe.app.get(ProjectionRunner).names.filter((name) => name !== 'shipping');
    await probe.close();
    running = await startTestApp({
      databaseUrl: scratch.url,
      projections: { ...projections, run },
    });
    consumer = running.app.get(CreateShipmentConsumer);
  });
  afterAll(async () => {
    await running?.close();
    await scratch.drop();
  });

  /** A real order, paid, whose PaymentProcessed nobody consumed yet. */
  async function paidOrder(): Promise<{ orderId: string; payment: PersistedEvent }> {
    const server = running.app.getHttpServer();
    const carts = cartsApi(server);
    const cart = await carts.ready();
    const account = await carts.openAccountFor(cart.id, { initialDeposit: 10_000 });
    const { orderId } = await carts.checkOut(cart.id, account.id);
    await ordersApi(server).order(orderId, (o) => o.status === 'paid');
    const stream = await running.app.get(PostgresEventStore).readStream(`order-${orderId}`);
    return { orderId, payment: stream.find((e) => e.type === 'PaymentProcessed')! };
  }

  const shipmentEvents = async (orderId: string) =>
    (await streamOf(scratch.pool, `shipment-${shipmentIdOf(orderId)}`)).map((e) => e.type);
  const processed = async (messageId: string) =>
    (
      await scratch.pool.query('SELECT consumer FROM processed_messages WHERE message_id = $1', [
        messageId,
      ])
    ).rows;

  it('records the message with its effect, in one transaction: a failed delivery leaves neither', async () => {
    const { orderId, payment } = await paidOrder();
    const dataSource = running.app.get(DataSource);
    await expect(
      dataSource.transaction(async (tx) => {
        await consumer.handle(payment, tx);
        throw new Error('crash before the commit');
      }),
    ).rejects.toThrow('crash before the commit');
    expect(await processed(payment.eventId)).toEqual([]);
    expect(await shipmentEvents(orderId)).toEqual([]);

    expect(await consumer.handle(payment)).toBe('created');
    expect(await processed(payment.eventId)).toEqual([{ consumer: 'shipping.create-shipment' }]);
    expect(await shipmentEvents(orderId)).toEqual(['ShipmentCreated']);
  });

  it('the same event delivered twice creates one shipment', async () => {
    const { orderId, payment } = await paidOrder();
    expect(await consumer.handle(payment)).toBe('created');
    expect(await consumer.handle(payment)).toBe('duplicate');
    expect(await shipmentEvents(orderId)).toEqual(['ShipmentCreated']);
    expect(await processed(payment.eventId)).toHaveLength(1);

    const order = await ordersApi(running.app.getHttpServer()).order(
      orderId,
      (o) => o.status === 'awaiting-shipment',
    );
    expect(order.shipment?.id).toBe(shipmentIdOf(orderId));
  });

  it('two deliveries at the same time create one shipment: the second waits for the first, then skips', async () => {
    const { orderId, payment } = await paidOrder();
    const outcomes = await Promise.all([consumer.handle(payment), consumer.handle(payment)]);
    expect(outcomes.sort()).toEqual(['created', 'duplicate']);
    expect(await shipmentEvents(orderId)).toEqual(['ShipmentCreated']);
    expect(await processed(payment.eventId)).toHaveLength(1);
  });
});
