import { Inject, Logger } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { APP_CONFIG, type AppConfig } from '../../../config/config.js';
import { PostgresEventStore, PostgresSnapshotStore } from '../../../event-store/index.js';
import { AccountNotFound } from '../../domain/account.errors.js';
import { reaches, replayAccount, type ReplaySources, type ReplayStep } from '../replay-account.js';
import type { AccountHistoryPage, HistoryLine } from './account-history.response.js';
import { GetAccountHistoryQuery } from './get-account-history.query.js';

/** Stream versions are int4. */
const MAX_VERSION = 2_147_483_647;

/**
 * The balance after every event, rejections included, folded from the event store: a page starts from the nearest
 * snapshot before it, so its cost is bounded by the page and the snapshot interval, not the stream.
 */
@QueryHandler(GetAccountHistoryQuery)
export class GetAccountHistoryHandler implements IQueryHandler<
  GetAccountHistoryQuery,
  AccountHistoryPage
> {
  private readonly sources: ReplaySources;

  constructor(
    store: PostgresEventStore,
    snapshots: PostgresSnapshotStore,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'snapshotEvery'>,
  ) {
    const logger = new Logger(GetAccountHistoryHandler.name);
    this.sources = { store, snapshots, every: config.snapshotEvery, logger };
  }

  async execute({ page }: GetAccountHistoryQuery) {
    const { accountId, fromVersion, limit, ownedBy } = page;
    if (!(await reaches(this.sources.store, accountId, ownedBy)))
      throw new AccountNotFound(accountId);
    const end = Math.min(fromVersion + limit, MAX_VERSION);
    const { last, kept } = await replayAccount(
      this.sources,
      accountId,
      { toVersion: end, readFrom: fromVersion },
      ({ stored }) => stored.streamVersion >= fromVersion,
    );
    if (last?.state.status !== 'open') throw new AccountNotFound(accountId);
    const more = kept.length > limit;
    return {
      items: kept.slice(0, limit).map(lineOf),
      nextFromVersion: more ? end : null,
    };
  }
}

function lineOf({ stored, event, state }: ReplayStep): HistoryLine {
  const line = {
    version: stored.streamVersion,
    position: stored.globalPosition,
    type: event.type,
    balanceAfter: state.status === 'open' ? state.balance : 0,
    recordedAt: stored.recordedAt.toISOString(),
  };
  switch (event.type) {
    case 'AccountOpened':
    case 'PersonalDataErased':
      return line;
    case 'MoneyDeposited': {
      const { amount, source, description } = event.data;
      return { ...line, amount, source, ...(description == null ? {} : { description }) };
    }
    case 'MoneyWithdrawn': {
      const { amount, description } = event.data;
      return { ...line, amount, ...(description == null ? {} : { description }) };
    }
    case 'WithdrawalRejected': {
      const { amount, reason, description } = event.data;
      return { ...line, amount, reason, ...(description == null ? {} : { description }) };
    }
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}
