import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandAccepted } from '../../../shared/command-accepted.response.js';
import { AccountRepository } from '../../account.repository.js';
import { erasePersonalData, requireReachable } from '../../domain/account.js';
import { ErasePersonalDataCommand } from './erase-personal-data.command.js';

/** Destroys the owner's key (the account is the subject), then records PersonalDataErased. */
@CommandHandler(ErasePersonalDataCommand)
export class ErasePersonalDataHandler implements ICommandHandler<
  ErasePersonalDataCommand,
  CommandAccepted
> {
  constructor(private readonly accounts: AccountRepository) {}

  async execute({ erasure, metadata }: ErasePersonalDataCommand): Promise<CommandAccepted> {
    const { accountId } = erasure;
    // Refused before any key is touched: the decision throws first, and the erasure follows it.
    const result = await this.accounts.update(
      accountId,
      (state) => erasePersonalData(state, erasure),
      {
        admit: (state) => requireReachable(state, erasure),
        metadata,
        erasePersonalDataOf: [accountId],
      },
    );
    // Erased before: answer with where the stream stands, so consistentWith still works.
    const { version, position } =
      result.decided.length > 0 ? result : await this.accounts.head(accountId);
    return { id: accountId, version, position };
  }
}
