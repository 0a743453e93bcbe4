import { Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { DepositMoneyCommand, WithdrawMoneyCommand } from '../../accounts/index.js';
import { DomainError } from '../../shared/domain-error.js';
import type { PaymentRequest } from '../domain/checkout.js';

/** Refusals the accounts context records as WithdrawalRejected, whose event then answers the saga. Never retried. */
const RECORDED_REFUSALS = new Set(['insufficient-funds', 'currency-mismatch']);

/** What became of a request: answered later by an event, or refused at once with no event to come. */
export type Sent = { declined?: string };

/**
 * Sends the saga's requests to the accounts context through the CommandBus. The command id makes a request sent
 * again a no-op there, whatever became of the first one.
 */
@Injectable()
export class PaymentRequests {
  private readonly logger = new Logger('CheckoutSaga');

  constructor(private readonly commands: CommandBus) {}

  async send(request: PaymentRequest, orderId: string, causationId?: string): Promise<Sent> {
    const metadata = {
      commandId: request.commandId,
      correlationId: orderId,
      ...(causationId && { causationId }),
      actor: 'checkout-saga',
    };
    const { accountId, amount, description, currency, ownedBy } = request;
    const command =
      request.type === 'withdraw'
        ? new WithdrawMoneyCommand(
            { accountId, amount, description, currency, ownedBy },
            undefined,
            metadata,
          )
        : new DepositMoneyCommand(
            { accountId, amount, description, source: 'other' },
            undefined,
            metadata,
          );
    try {
      await this.commands.execute(command);
      return {};
    } catch (error) {
      // Refused for lack of funds or in another currency: WithdrawalRejected is recorded and will answer.
      if (error instanceof DomainError && RECORDED_REFUSALS.has(error.code)) return {};
      // No such account, or not the customer's (refused as missing): nothing is recorded on it, nothing will answer.
      const definite =
        error instanceof DomainError && (error.kind === 'not-found' || error.kind === 'invalid');
      if (definite && request.type === 'withdraw') return { declined: error.code };
      // Anything else may pass on a later attempt (the timer sends it again until it is answered).
      this.logger.warn(
        `The ${request.type} for order ${orderId} failed, to be sent again: ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
      return {};
    }
  }
}
