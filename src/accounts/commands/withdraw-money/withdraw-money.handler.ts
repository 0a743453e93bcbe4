import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandAccepted } from '../../../http/command-accepted.response.js';
import { AccountRepository } from '../../account.repository.js';
import { withdraw } from '../../domain/account.js';
import { CurrencyMismatch, InsufficientFunds } from '../../domain/account.errors.js';
import { WithdrawMoneyCommand } from './withdraw-money.command.js';

@CommandHandler(WithdrawMoneyCommand)
export class WithdrawMoneyHandler implements ICommandHandler<
  WithdrawMoneyCommand,
  CommandAccepted
> {
  constructor(private readonly accounts: AccountRepository) {}

  /** A refusal is saved as WithdrawalRejected first, then reported as InsufficientFunds or CurrencyMismatch. */
  async execute(command: WithdrawMoneyCommand): Promise<CommandAccepted> {
    const { version, position, decided } = await this.accounts.update(
      command.accountId,
      (s) => withdraw(s, command),
      {
        expectedVersion: command.expectedVersion,
        metadata: command.metadata,
      },
    );
    const [outcome] = decided;
    if (outcome.type === 'WithdrawalRejected') {
      const { reason, balance, amount, currency } = outcome.data;
      const recorded = { version, position };
      if (reason === 'currency-mismatch')
        throw new CurrencyMismatch(command.accountId, currency ?? '', amount, recorded);
      throw new InsufficientFunds(command.accountId, balance, amount, recorded);
    }
    return { id: command.accountId, version, position };
  }
}
