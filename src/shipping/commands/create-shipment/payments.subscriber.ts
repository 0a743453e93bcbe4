import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PersistedEvent } from '../../../event-store/index.js';
import type { PaymentProcessed } from '../../../orders/index.js';
import { Consumer } from '../../../projections/index.js';
import { CreateShipmentConsumer } from './create-shipment.consumer.js';

const PAYMENT_PROCESSED: PaymentProcessed['type'] = 'PaymentProcessed';

/**
 * Delivers PaymentProcessed to the consumer from the global log, durably: in the transaction that moves this
 * subscriber's checkpoint. A rebuild delivers every event again, and the consumer ignores them all.
 */
@Consumer('shipping')
@Injectable()
export class PaymentsSubscriber implements Consumer {
  readonly eventTypes = [PAYMENT_PROCESSED];

  constructor(private readonly consumer: CreateShipmentConsumer) {}

  async consume(events: readonly PersistedEvent[], tx: EntityManager): Promise<void> {
    for (const event of events) await this.consumer.handle(event, tx);
  }
}
