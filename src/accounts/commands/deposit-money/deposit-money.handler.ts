import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandAccepted } from '../../../http/command-accepted.response.js';
import { AccountRepository } from '../../account.repository.js';
import { deposit } from '../../domain/account.js';
import { DepositMoneyCommand } from './deposit-money.command.js';

@CommandHandler(DepositMoneyCommand)
export class DepositMoneyHandler implements ICommandHandler<DepositMoneyCommand, CommandAccepted> {
  constructor(private readonly accounts: AccountRepository) {}

  async execute(command: DepositMoneyCommand): Promise<CommandAccepted> {
    const { version, position } = await this.accounts.update(
      command.accountId,
      (state) => deposit(state, command),
      {
        expectedVersion: command.expectedVersion,
        metadata: command.metadata,
      },
    );
    return { id: command.accountId, version, position };
  }
}
