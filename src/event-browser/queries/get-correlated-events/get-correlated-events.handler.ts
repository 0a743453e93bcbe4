import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { type EventRow, eventIdRangeOf, PostgresEventStore } from '../../../event-store/index.js';
import { storedEventOf } from '../../../shared/stored-event.response.js';
import { CorrelationKeys } from '../../correlation-keys.js';
import type { CorrelatedEventsPage } from './correlated-events.response.js';
import { GetCorrelatedEventsQuery } from './get-correlated-events.query.js';

/**
 * The events of one correlation id across streams: the correlation index's, and the events of the command whose own
 * id it is, found in the log by their range of event ids (foundByItsCommand); both index scans, the page then read.
 */
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
    const range = eventIdRangeOf(correlationId);
    const rows: EventRow[] = await this.db.query(
      `WITH hits AS (
         (SELECT c.global_position FROM correlation_events c
          WHERE c.correlation_key = $1 AND c.global_position > $2
          ORDER BY c.global_position LIMIT $3)
         UNION
         (SELECT l.global_position FROM events l
          WHERE l.event_id BETWEEN $4::uuid AND $5::uuid AND l.global_position > $2
            AND l.metadata->>'commandId' = $6 AND l.metadata->>'correlationId' = $6))
       SELECT e.global_position, e.stream_id, e.stream_version, e.event_id, e.type, e.schema_version, e.data,
         e.metadata, e.recorded_at, e.transaction_id::text AS transaction_id
       FROM (SELECT global_position FROM hits ORDER BY global_position LIMIT $3) h
       JOIN events e ON e.global_position = h.global_position
       ORDER BY e.global_position`,
      [
        this.keys.of(correlationId),
        after,
        limit + 1,
        range?.from ?? null,
        range?.to ?? null,
        correlationId,
      ],
    );
    const events = await this.store.decryptPersonalData(rows.slice(0, limit));
    return {
      correlationId,
      events: events.map(storedEventOf),
      next: rows.length > limit ? events[limit - 1].globalPosition : null,
    };
  }
}
