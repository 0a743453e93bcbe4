import { Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  DepositMoneyCommand,
  WithdrawMoneyCommand,
  type WithdrawalOutcome,
} from '../../accounts/index.js';
import type { EventMetadata } from '../../event-store/index.js';
import { DomainError } from '../../shared/domain-error.js';
import type { CheckoutCommand, CheckoutMessage } from '../domain/checkout.js';
import { cancel, recordPayment, ship } from '../domain/order.js';
import { OrderRepository } from '../order.repository.js';

/** Whose command it is: the saga (its order), the checkout request's correlation id, and the event that caused it. */
export interface CheckoutContext {
  readonly orderId: string;
  readonly correlationId: string;
  readonly causationId?: string;
}

/**
 * Carries out the saga's commands, each under its own command id, so one sent again is a no-op wherever it
 * landed. Answers a message only when the answer comes at once with no event to come: a withdrawal from an
 * account that does not exist or is not the customer's, which records nothing.
 */
@Injectable()
export class CheckoutCommands {
  private readonly logger = new Logger('CheckoutSaga');

  constructor(
    private readonly bus: CommandBus,
    private readonly orders: OrderRepository,
  ) {}

  async send(
    command: CheckoutCommand,
    { orderId, correlationId, causationId }: CheckoutContext,
  ): Promise<CheckoutMessage | undefined> {
    // The saga id is how an answer is matched to its saga (checkout-messages.ts): no HTTP request can set it.
    const metadata: EventMetadata = {
      commandId: command.commandId,
      correlationId,
      ...(causationId && { causationId }),
      sagaId: orderId,
      actor: 'checkout-saga',
    };
    const options = { metadata };
    switch (command.type) {
      case 'withdraw':
      case 'deposit':
        return this.pay(command, orderId, metadata);
      case 'record-payment': {
        const { accountId, amount, withdrawalPosition } = command;
        const payment = { orderId, accountId, amount, withdrawalPosition };
        await this.orders.update(orderId, (state) => recordPayment(state, payment), options);
        return undefined;
      }
      case 'cancel': {
        const { reason, detail } = command;
        const cancellation = { orderId, reason, ...(detail === undefined ? {} : { detail }) };
        await this.orders.update(orderId, (state) => cancel(state, cancellation), options);
        return undefined;
      }
      case 'ship': {
        const shipment = { orderId, shipmentId: command.shipmentId };
        await this.orders.update(orderId, (state) => ship(state, shipment), options);
        return undefined;
      }
    }
  }

  /** A recorded refusal (WithdrawalRejected) answers through the log like a payment, so it answers nothing here. */
  private async pay(
    command: Extract<CheckoutCommand, { type: 'withdraw' | 'deposit' }>,
    orderId: string,
    metadata: EventMetadata,
  ): Promise<CheckoutMessage | undefined> {
    const { accountId, amount, description } = command;
    try {
      if (command.type === 'deposit') {
        const deposit = { accountId, amount, description, source: 'other' as const };
        await this.bus.execute(new DepositMoneyCommand({ deposit, metadata }));
      } else {
        const { currency, ownedBy } = command;
        const withdrawal = { accountId, amount, description, currency, ownedBy };
        await this.bus.execute<WithdrawMoneyCommand, WithdrawalOutcome>(
          new WithdrawMoneyCommand({ withdrawal, metadata }),
        );
      }
      return undefined;
    } catch (error) {
      const definite =
        error instanceof DomainError && (error.kind === 'not-found' || error.kind === 'invalid');
      if (definite && command.type === 'withdraw')
        return { type: 'payment-declined', reason: error.code };
      // Anything else may pass on a later attempt (the timer sends it again until it is answered).
      this.logger.warn(
        `The ${command.type} for order ${orderId} failed, to be sent again: ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
      return undefined;
    }
  }
}
