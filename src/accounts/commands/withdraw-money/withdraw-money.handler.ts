import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccountRepository } from '../../account.repository.js';
import { requireReachable, withdraw } from '../../domain/account.js';
import { WithdrawMoneyCommand, type WithdrawalOutcome } from './withdraw-money.command.js';

@CommandHandler(WithdrawMoneyCommand)
export class WithdrawMoneyHandler implements ICommandHandler<
  WithdrawMoneyCommand,
  WithdrawalOutcome
> {
  constructor(private readonly accounts: AccountRepository) {}

  async execute({
    withdrawal,
    expectedVersion,
    metadata,
  }: WithdrawMoneyCommand): Promise<WithdrawalOutcome> {
    const { accountId } = withdrawal;
    const { version, position, decided } = await this.accounts.update(
      accountId,
      (s) => withdraw(s, withdrawal),
      { admit: (s) => requireReachable(s, withdrawal), expectedVersion, metadata },
    );
    const recorded = { id: accountId, version, position };
    const [event] = decided;
    return event.type === 'WithdrawalRejected'
      ? { outcome: 'rejected', event, ...recorded }
      : { outcome: 'accepted', ...recorded };
  }
}
