import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { type EventRow, PostgresEventStore } from '../../../event-store/index.js';
import { storedEventOf } from '../../../shared/stored-event.response.js';
import { CorrelationKeys } from '../../correlation-keys.js';
import type { CorrelatedEventsPage } from './correlated-events.response.js';
import { GetCorrelatedEventsQuery } from './get-correlated-events.query.js';

/** The events of one correlation id across streams, by the correlation index, then from the log. */
@QueryHandler(GetCorrelatedEventsQuery)
export class GetCorrelatedEventsHandler implements IQueryHandler<
  GetCorrelatedEventsQuery,
  CorrelatedEventsPage
> {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly store: PostgresEventStore,
    private readonly keys: CorrelationKeys,
  ) {}

  async execute({ page }: GetCorrelatedEventsQuery): Promise<CorrelatedEventsPage> {
    const { correlationId, after, limit } = page;
    const rows: EventRow[] = await this.db.query(
      `SELECT e.global_position, e.stream_id, e.stream_version, e.event_id, e.type, e.schema_version, e.data,
         e.metadata, e.recorded_at, e.transaction_id::text AS transaction_id
       FROM correlation_events c JOIN events e ON e.global_position = c.global_position
       WHERE c.correlation_key = $1 AND c.global_position > $2
       ORDER BY c.global_position
       LIMIT $3`,
      [this.keys.of(correlationId), after, limit + 1],
    );
    const events = await this.store.decryptPersonalData(rows.slice(0, limit));
    return {
      correlationId,
      events: events.map(storedEventOf),
      next: rows.length > limit ? events[limit - 1].globalPosition : null,
    };
  }
}
