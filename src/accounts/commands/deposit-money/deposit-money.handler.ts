import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandAccepted } from '../../../shared/command-accepted.response.js';
import { AccountRepository } from '../../account.repository.js';
import { deposit, requireReachable } from '../../domain/account.js';
import { DepositMoneyCommand } from './deposit-money.command.js';

@CommandHandler(DepositMoneyCommand)
export class DepositMoneyHandler implements ICommandHandler<DepositMoneyCommand, CommandAccepted> {
  constructor(private readonly accounts: AccountRepository) {}

  async execute(command: DepositMoneyCommand): Promise<CommandAccepted> {
    const { accountId } = command.deposit;
    const { version, position } = await this.accounts.update(
      accountId,
      (state) => deposit(state, command.deposit),
      {
        admit: (state) => requireReachable(state, command.deposit),
        expectedVersion: command.expectedVersion,
        metadata: command.metadata,
      },
    );
    return { id: accountId, version, position };
  }
}
