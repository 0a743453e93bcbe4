import { Injectable, Logger } from '@nestjs/common';
import type { CartCheckedOut } from '../../carts/index.js';
import {
  deterministicUuid,
  type PersistedEvent,
  PersonalDataErasedError,
} from '../../event-store/index.js';
import { Reactor } from '../../projections/index.js';
import { concurrently } from '../concurrently.js';
import { place, type PlaceOrder, recordNotPlaced } from '../domain/order.js';
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

  /**
   * A customer erased before their order was placed: nowhere to ship it, nobody to ship to. The order ends as not
   * placed, so the client holding the checkout's order id learns why no order came.
   */
  private async placeUnlessErased(event: PersistedEvent): Promise<void> {
    const order = orderOf(event.data as CartCheckedOut['data']);
    try {
      await this.orders.update(order.orderId, (state) => place(state, order), {
        metadata: metadataOf(event, 'place-order', order.orderId),
      });
    } catch (error) {
      if (!(error instanceof PersonalDataErasedError)) throw error;
      this.logger.warn(
        `Order ${order.orderId} not placed: its customer's personal data was erased`,
      );
      const { shipping: _shipping, ...checkout } = order;
      await this.orders.update(
        order.orderId,
        (state) => recordNotPlaced(state, { ...checkout, reason: 'personal-data-erased' }),
        { metadata: metadataOf(event, 'order-not-placed', order.orderId) },
      );
    }
  }
}

/** The order a checkout places: the cart's lines, total and address as it checked out. */
function orderOf(checkout: CartCheckedOut['data']): PlaceOrder {
  const { orderId, cartId, customerId, accountId, currency, total } = checkout;
  const { name, street, city, postalCode, country } = checkout.shipping;
  const lines = checkout.lines.map(({ productId, quantity, unitPrice }) => ({
    productId,
    quantity,
    unitPrice,
  }));
  const shipping = { name, street, city, postalCode, country };
  return { orderId, cartId, customerId, accountId, lines, total, currency, shipping };
}

function metadataOf(event: PersistedEvent, command: string, orderId: string) {
  return {
    commandId: deterministicUuid(command, orderId),
    // The checkout request's (the order id in events stored before the cart carried one).
    correlationId:
      typeof event.metadata.correlationId === 'string' ? event.metadata.correlationId : orderId,
    causationId: event.eventId,
    actor: 'order-placement',
  };
}
