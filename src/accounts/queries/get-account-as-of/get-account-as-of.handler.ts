import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { PostgresEventStore } from '../../../event-store/postgres-event-store.js';
import { accountDefinition } from '../../domain/account.js';
import {
  AccountNotFound,
  AccountNotYetOpened,
  AccountVersionNotFound,
} from '../../domain/account.errors.js';
import { replayAccount } from '../replay-account.js';
import type { AccountAsOfResponse } from './account-as-of.response.js';
import { GetAccountAsOfQuery } from './get-account-as-of.query.js';

/** Time travel: the state folded from the event store up to the requested point, never from the read model. */
@QueryHandler(GetAccountAsOfQuery)
export class GetAccountAsOfHandler implements IQueryHandler<
  GetAccountAsOfQuery,
  AccountAsOfResponse
> {
  constructor(private readonly store: PostgresEventStore) {}

  async execute({ accountId, point }: GetAccountAsOfQuery): Promise<AccountAsOfResponse> {
    const bounds = 'asOf' in point ? { until: point.asOf } : { toVersion: point.atVersion };
    const { first, last } = await replayAccount(this.store, accountId, bounds);
    if (!first || !last || last.state.status !== 'open') {
      const [opened] = await this.store.readStream(`${accountDefinition.streamType}-${accountId}`, {
        limit: 1,
      });
      if (opened && 'asOf' in point)
        throw new AccountNotYetOpened(accountId, point.asOf, opened.recordedAt);
      throw new AccountNotFound(accountId);
    }
    const version = last.stored.streamVersion;
    if ('atVersion' in point && version < point.atVersion)
      throw new AccountVersionNotFound(accountId, point.atVersion, version);
    const { id, ownerName, currency, balance } = last.state;
    const recordedAt = last.stored.recordedAt.toISOString();
    return {
      id,
      ownerName,
      currency,
      balance,
      version,
      openedAt: first.recordedAt.toISOString(),
      updatedAt: recordedAt,
      recordedAt,
    };
  }
}
