import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { ConcurrencyError } from '../../event-store/event-store.errors.js';
import type { PersistedEvent } from '../../event-store/persisted-event.js';
import {
  checkoutCommandId,
  checkoutRecordId,
  decide,
  evolve,
  type CheckoutTrigger,
  type OrderAction,
} from '../domain/checkout.js';
import { cancel, recordPayment, ship } from '../domain/order.js';
import { CheckoutRepository, OrderRepository } from '../order.repository.js';
import { PaymentRequests } from './payment-requests.js';

const ATTEMPTS = 3;

/**
 * One step of a saga: decide on the trigger from the saga's stream, carry out the effects (the request to the
 * accounts context, the change to the order), then record the step in the stream. Every effect has a command
 * id of its own, so a step interrupted anywhere and run again repeats nothing; once recorded, the trigger
 * decides nothing more.
 */
@Injectable()
export class CheckoutSteps {
  constructor(
    private readonly checkouts: CheckoutRepository,
    private readonly orders: OrderRepository,
    private readonly payments: PaymentRequests,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async run(orderId: string, trigger: CheckoutTrigger, cause: PersistedEvent): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const saga = await this.checkouts.load(orderId);
      const clock = { now: new Date(), paymentTimeoutMs: this.config.checkout.paymentTimeoutMs };
      const decision = decide(saga.state, trigger, clock);
      let { events, order } = decision;
      if (decision.request) {
        const { declined } = await this.payments.send(decision.request, orderId, cause.eventId);
        if (declined) {
          // Refused without an event to answer (no such account): the refusal is the answer.
          const started = events.reduce(evolve, saga.state);
          const refusal = decide(started, { type: 'payment-declined', reason: declined }, clock);
          events = [...events, ...refusal.events];
          order = refusal.order;
        }
      }
      if (order) await this.change(orderId, order, cause);
      if (events.length === 0) return;
      try {
        await this.checkouts.update(orderId, () => events, {
          expectedVersion: saga.version,
          metadata: {
            commandId: checkoutRecordId(orderId, trigger.type),
            correlationId: orderId,
            causationId: cause.eventId,
            actor: 'checkout-saga',
          },
        });
        return;
      } catch (error) {
        // The timer's notice landed since the load: decide again on the stream as it is now.
        if (!(error instanceof ConcurrencyError) || attempt >= ATTEMPTS) throw error;
      }
    }
  }

  private change(orderId: string, action: OrderAction, cause: PersistedEvent) {
    const options = {
      metadata: {
        commandId: checkoutCommandId(orderId, action.type),
        correlationId: orderId,
        causationId: cause.eventId,
        actor: 'checkout-saga',
      },
    };
    switch (action.type) {
      case 'record-payment': {
        const { accountId, amount, withdrawalPosition } = action;
        const payment = { orderId, accountId, amount, withdrawalPosition };
        return this.orders.update(orderId, (state) => recordPayment(state, payment), options);
      }
      case 'cancel': {
        const { reason, detail } = action;
        const cancellation = { orderId, reason, ...(detail === undefined ? {} : { detail }) };
        return this.orders.update(orderId, (state) => cancel(state, cancellation), options);
      }
      case 'ship': {
        const { shipmentId } = action;
        return this.orders.update(
          orderId,
          (state) => ship(state, { orderId, shipmentId }),
          options,
        );
      }
    }
  }
}
