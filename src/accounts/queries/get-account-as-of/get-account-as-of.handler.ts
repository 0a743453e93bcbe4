import { Inject, Logger } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { APP_CONFIG, type AppConfig } from '../../../config/config.js';
import { PostgresEventStore, PostgresSnapshotStore } from '../../../event-store/index.js';
import { accountDefinition } from '../../domain/account.js';
import {
  AccountNotFound,
  AccountNotYetOpened,
  AccountVersionNotFound,
} from '../../domain/account.errors.js';
import { reaches, replayAccount, type ReplaySources } from '../replay-account.js';
import type { AccountAsOfResponse } from './account-as-of.response.js';
import { GetAccountAsOfQuery } from './get-account-as-of.query.js';

/**
 * Time travel: the state folded from the event store up to the requested point, from the nearest snapshot before
 * it, never from the read model.
 */
@QueryHandler(GetAccountAsOfQuery)
export class GetAccountAsOfHandler implements IQueryHandler<
  GetAccountAsOfQuery,
  AccountAsOfResponse
> {
  private readonly sources: ReplaySources;

  constructor(
    private readonly store: PostgresEventStore,
    snapshots: PostgresSnapshotStore,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'snapshotEvery'>,
  ) {
    const logger = new Logger(GetAccountAsOfHandler.name);
    this.sources = { store, snapshots, every: config.snapshotEvery, logger };
  }

  async execute({ accountId, point, ownedBy }: GetAccountAsOfQuery): Promise<AccountAsOfResponse> {
    // Someone else's account is refused before anything is folded: it costs what a missing one does.
    if (!(await reaches(this.store, accountId, ownedBy))) throw new AccountNotFound(accountId);
    const bounds = 'asOf' in point ? { until: point.asOf } : { toVersion: point.atVersion };
    const { first, last } = await replayAccount(this.sources, accountId, bounds);
    // Started from a snapshot, the fold did not read the opening event.
    const opened = first ?? (await this.firstEvent(accountId));
    if (!opened) throw new AccountNotFound(accountId);
    if (!last || last.state.status !== 'open') {
      if ('asOf' in point) throw new AccountNotYetOpened(accountId, point.asOf, opened.recordedAt);
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
      openedAt: opened.recordedAt.toISOString(),
      updatedAt: recordedAt,
      recordedAt,
    };
  }

  private async firstEvent(accountId: string) {
    const streamId = `${accountDefinition.streamType}-${accountId}`;
    const [opened] = await this.store.readStream(streamId, { limit: 1 });
    return opened;
  }
}
