import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { type PersistedEvent, PostgresEventStore } from '../../../event-store/index.js';
import type { PaymentProcessed } from '../../../orders/index.js';
import { announceEvents } from '../../../projections/index.js';
import { create } from '../../domain/shipment.js';
import { ProcessedMessage } from '../../processed-message.entity.js';
import { shipmentIdOf } from '../../shipment-ids.js';
import { shipmentsIn } from '../../shipment.repository.js';

export type Consumed = 'created' | 'duplicate';

/**
 * An idempotent consumer of PaymentProcessed: the message id (the event id) is recorded in processed_messages in
 * the same transaction as the shipment it creates, so a message delivered again finds its row and does nothing.
 */
@Injectable()
export class CreateShipmentConsumer {
  static readonly NAME = 'shipping.create-shipment';

  constructor(
    private readonly store: PostgresEventStore,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** In the caller's transaction; without one, in a transaction of its own. */
  async handle(message: PersistedEvent, tx?: EntityManager): Promise<Consumed> {
    if (!tx) return this.dataSource.transaction((own) => this.handle(message, own));
    // A redelivery racing the first delivery waits here on the primary key, then finds the row.
    const recorded = await tx
      .createQueryBuilder()
      .insert()
      .into(ProcessedMessage)
      .values({ consumer: CreateShipmentConsumer.NAME, messageId: message.eventId })
      .orIgnore()
      .returning(['messageId'])
      .execute();
    if (recorded.raw.length === 0) return 'duplicate';
    const { orderId } = message.data as PaymentProcessed['data'];
    const shipmentId = shipmentIdOf(orderId);
    const shipments = await shipmentsIn(tx, this.store.registry);
    const created = await shipments.update(
      shipmentId,
      (state) => create(state, { shipmentId, orderId }),
      {
        metadata: {
          commandId: message.eventId,
          correlationId:
            typeof message.metadata.correlationId === 'string'
              ? message.metadata.correlationId
              : orderId,
          causationId: message.eventId,
          actor: CreateShipmentConsumer.NAME,
        },
      },
    );
    // Appended inside this transaction, so not on the EventBus: the notice (sent at commit) wakes its readers.
    await announceEvents(tx, {
      from: CreateShipmentConsumer.NAME,
      types: new Set(created.events.map((e) => e.type)),
      checkpoint: created.events.at(-1)?.checkpoint,
    });
    return 'created';
  }
}
