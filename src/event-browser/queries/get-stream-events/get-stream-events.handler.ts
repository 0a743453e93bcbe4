import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { PostgresEventStore } from '../../../event-store/index.js';
import { storedEventOf } from '../../../shared/stored-event.response.js';
import { GetStreamEventsQuery } from './get-stream-events.query.js';
import type { StreamEventsPage } from './stream-events.response.js';
import { UnknownStream } from './unknown-stream.error.js';

/** A page of any stream, read from the event store with its personal data decrypted (or erased). */
@QueryHandler(GetStreamEventsQuery)
export class GetStreamEventsHandler implements IQueryHandler<
  GetStreamEventsQuery,
  StreamEventsPage
> {
  constructor(private readonly store: PostgresEventStore) {}

  async execute({ page }: GetStreamEventsQuery): Promise<StreamEventsPage> {
    const { streamId, fromVersion, limit } = page;
    const events = await this.store.readStream(streamId, { fromVersion, limit: limit + 1 });
    if (events.length === 0 && (await this.store.streamVersion(streamId)) === 0)
      throw new UnknownStream(streamId);
    return {
      streamId,
      events: events.slice(0, limit).map(storedEventOf),
      next: events.length > limit ? events[limit].streamVersion : null,
    };
  }
}
