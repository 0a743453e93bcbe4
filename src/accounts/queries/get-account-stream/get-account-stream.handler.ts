import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { PostgresEventStore } from '../../../event-store/index.js';
import { accountDefinition, isWithinReach } from '../../domain/account.js';
import { AccountNotFound } from '../../domain/account.errors.js';
import { ownerOf } from '../replay-account.js';
import { GetAccountStreamQuery } from './get-account-stream.query.js';

/**
 * Before a live stream of an account opens: an account never opened, or someone else's, is the same 404, read from
 * the opening event (a read model may not have an account opened a moment ago).
 */
@QueryHandler(GetAccountStreamQuery)
export class GetAccountStreamHandler implements IQueryHandler<GetAccountStreamQuery, string> {
  constructor(private readonly store: PostgresEventStore) {}

  async execute({ accountId, ownedBy }: GetAccountStreamQuery): Promise<string> {
    const opened = await ownerOf(this.store, accountId);
    if (!opened || !isWithinReach(opened.ownerId, ownedBy)) throw new AccountNotFound(accountId);
    return `${accountDefinition.streamType}-${accountId}`;
  }
}
