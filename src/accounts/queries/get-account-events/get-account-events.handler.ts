import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { PostgresEventStore } from '../../../event-store/index.js';
import { accountDefinition } from '../../domain/account.js';
import { AccountNotFound } from '../../domain/account.errors.js';
import { storedEventOf } from '../../../shared/stored-event.response.js';
import { GetAccountEventsQuery } from './get-account-events.query.js';
import type { EventsPage } from './stored-event.response.js';

/** The audit trail is the stream itself, read from the event store. */
@QueryHandler(GetAccountEventsQuery)
export class GetAccountEventsHandler implements IQueryHandler<GetAccountEventsQuery, EventsPage> {
  constructor(private readonly store: PostgresEventStore) {}

  async execute({ accountId, fromVersion, limit }: GetAccountEventsQuery): Promise<EventsPage> {
    const streamId = `${accountDefinition.streamType}-${accountId}`;
    const events = await this.store.readStream(streamId, { fromVersion, limit: limit + 1 });
    if (events.length === 0 && (await this.store.streamVersion(streamId)) === 0)
      throw new AccountNotFound(accountId);
    const items = events.slice(0, limit).map(storedEventOf);
    return { items, nextFromVersion: events.length > limit ? events[limit].streamVersion : null };
  }
}
