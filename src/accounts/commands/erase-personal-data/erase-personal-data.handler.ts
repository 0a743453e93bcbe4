import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { PostgresEventStore } from '../../../event-store/index.js';
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
  constructor(
    private readonly accounts: AccountRepository,
    private readonly store: PostgresEventStore,
  ) {}

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
    if (result.decided.length > 0)
      return { id: accountId, version: result.version, position: result.position };
    // Erased before: answer with where the stream stands, so consistentWith still works.
    const [last] = await this.store.readStream(this.accounts.streamIdOf(accountId), {
      direction: 'backward',
      limit: 1,
    });
    return { id: accountId, version: last.streamVersion, position: last.globalPosition };
  }
}
