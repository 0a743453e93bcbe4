import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandAccepted } from '../../../http/command-accepted.response.js';
import { AccountRepository } from '../../account.repository.js';
import { requireReachable, withdraw } from '../../domain/account.js';
import { CurrencyMismatch, InsufficientFunds } from '../../domain/account.errors.js';
import { WithdrawMoneyCommand } from './withdraw-money.command.js';

@CommandHandler(WithdrawMoneyCommand)
export class WithdrawMoneyHandler implements ICommandHandler<
  WithdrawMoneyCommand,
  CommandAccepted
> {
  constructor(private readonly accounts: AccountRepository) {}

  /** A refusal is saved as WithdrawalRejected first, then reported as InsufficientFunds or CurrencyMismatch. */
  async execute({
    withdrawal,
    expectedVersion,
    metadata,
  }: WithdrawMoneyCommand): Promise<CommandAccepted> {
    const { accountId } = withdrawal;
    const { version, position, decided } = await this.accounts.update(
      accountId,
      (s) => withdraw(s, withdrawal),
      { admit: (s) => requireReachable(s, withdrawal), expectedVersion, metadata },
    );
    const [outcome] = decided;
    if (outcome.type === 'WithdrawalRejected') {
      const { reason, balance, amount, currency } = outcome.data;
      const recorded = { version, position };
      if (reason === 'currency-mismatch')
        throw new CurrencyMismatch(accountId, currency ?? '', amount, recorded);
      throw new InsufficientFunds(accountId, balance, amount, recorded);
    }
    return { id: accountId, version, position };
  }
}
