import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { PostgresEventStore } from '../../../event-store/postgres-event-store.js';
import { AccountNotFound } from '../../domain/account.errors.js';
import { replayAccount, type ReplayStep } from '../replay-account.js';
import type { AccountHistoryPage, HistoryLine } from './account-history.response.js';
import { GetAccountHistoryQuery } from './get-account-history.query.js';

/** Stream versions are int4. */
const MAX_VERSION = 2_147_483_647;

/** The balance after every event, rejections included, folded from the event store. */
@QueryHandler(GetAccountHistoryQuery)
export class GetAccountHistoryHandler implements IQueryHandler<
  GetAccountHistoryQuery,
  AccountHistoryPage
> {
  constructor(private readonly store: PostgresEventStore) {}

  async execute({ accountId, fromVersion, limit }: GetAccountHistoryQuery) {
    const end = Math.min(fromVersion + limit, MAX_VERSION);
    const { first, kept } = await replayAccount(
      this.store,
      accountId,
      { toVersion: end },
      ({ stored }) => stored.streamVersion >= fromVersion,
    );
    if (!first) throw new AccountNotFound(accountId);
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
      return { ...line, amount, source, ...(description === undefined ? {} : { description }) };
    }
    case 'MoneyWithdrawn': {
      const { amount, description } = event.data;
      return { ...line, amount, ...(description === undefined ? {} : { description }) };
    }
    case 'WithdrawalRejected': {
      const { amount, reason, description } = event.data;
      return { ...line, amount, reason, ...(description === undefined ? {} : { description }) };
    }
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}
