import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandAccepted } from '../../../shared/command-accepted.response.js';
import { AccountRepository } from '../../account.repository.js';
import { open } from '../../domain/account.js';
import { OpenAccountCommand } from './open-account.command.js';

@CommandHandler(OpenAccountCommand)
export class OpenAccountHandler implements ICommandHandler<OpenAccountCommand, CommandAccepted> {
  constructor(private readonly accounts: AccountRepository) {}

  async execute({ account, metadata }: OpenAccountCommand): Promise<CommandAccepted> {
    const { version, position } = await this.accounts.update(
      account.accountId,
      (state) => open(state, account),
      { metadata },
    );
    return { id: account.accountId, version, position };
  }
}
