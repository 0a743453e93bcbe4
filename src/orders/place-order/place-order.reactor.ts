import { Injectable, Logger } from '@nestjs/common';
import type { CartCheckedOut } from '../../carts/index.js';
import {
  deterministicUuid,
  type PersistedEvent,
  PersonalDataErasedError,
} from '../../event-store/index.js';
import { Reactor } from '../../projections/index.js';
import { concurrently } from '../concurrently.js';
import { place } from '../domain/order.js';
import { OrderRepository } from '../order.repository.js';

const CART_CHECKED_OUT: CartCheckedOut['type'] = 'CartCheckedOut';

/**
 * Places the order of every checked-out cart, durably: a durable subscriber to the global log whose checkpoint
 * moves once the orders are stored, so a checkout committed just before a crash is placed after the restart. The
 * order id is the cart's choice and the command id follows from it: delivered again, it places nothing more.
 */
@Reactor('order-placement')
@Injectable()
export class PlaceOrderReactor implements Reactor {
  readonly eventTypes = [CART_CHECKED_OUT];
  readonly maxBatchEvents = 64;

  private readonly logger = new Logger('OrderPlacement');

  constructor(private readonly orders: OrderRepository) {}

  async react(events: readonly PersistedEvent[]): Promise<void> {
    await concurrently(events, 8, (event) => this.placeUnlessErased(event));
  }

  /** A customer erased before their order was placed: nowhere to ship it, nobody to ship to. */
  private async placeUnlessErased(event: PersistedEvent): Promise<void> {
    try {
      await this.place(event);
    } catch (error) {
      if (!(error instanceof PersonalDataErasedError)) throw error;
      const { orderId } = event.data as CartCheckedOut['data'];
      this.logger.warn(`Order ${orderId} not placed: its customer's personal data was erased`);
    }
  }

  private place(event: PersistedEvent) {
    const checkout = event.data as CartCheckedOut['data'];
    const { orderId, cartId, customerId, accountId, currency, total } = checkout;
    const { name, street, city, postalCode, country } = checkout.shipping;
    const lines = checkout.lines.map(({ productId, quantity, unitPrice }) => ({
      productId,
      quantity,
      unitPrice,
    }));
    return this.orders.update(
      orderId,
      (state) =>
        place(state, {
          orderId,
          cartId,
          customerId,
          accountId,
          lines,
          total,
          currency,
          shipping: { name, street, city, postalCode, country },
        }),
      {
        metadata: {
          commandId: deterministicUuid('place-order', orderId),
          // The checkout request's (the order id in events stored before the cart carried one).
          correlationId:
            typeof event.metadata.correlationId === 'string'
              ? event.metadata.correlationId
              : orderId,
          causationId: event.eventId,
          actor: 'order-placement',
        },
      },
    );
  }
}
