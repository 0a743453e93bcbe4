import {
  compositeId,
  type EntityProjection,
  type ProjectedEvent,
} from '../../projections/index.js';
import { CorrelationEvent } from './correlation-event.entity.js';

/** Any event of the log: the correlation index reads only its stream, place and metadata's correlation id. */
export interface CorrelatedEvent {
  type: string;
  data: unknown;
  streamId: string;
  metadata: { correlationId?: unknown };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The key a correlation id is stored under: a UUID as it is, any other text only as its pseudonym. */
export const correlationKeyOf =
  (pseudonym: (correlationId: string) => string) =>
  (correlationId: string): string =>
    UUID.test(correlationId) ? correlationId : pseudonym(correlationId);

/** `correlation_events`: one row per event that carries a correlation id; written once, never changed. */
export function correlationEvents(
  keyOf: (correlationId: string) => string,
): EntityProjection<CorrelationEvent, CorrelatedEvent> {
  const keyOfEvent = (event: ProjectedEvent<CorrelatedEvent>): string | null => {
    const { correlationId } = event.metadata;
    return typeof correlationId === 'string' && correlationId !== '' ? keyOf(correlationId) : null;
  };
  return {
    entity: CorrelationEvent,
    appendOnly: true,
    rowId: (event) => {
      const key = keyOfEvent(event);
      return key === null ? null : compositeId(key, String(event.globalPosition));
    },
    evolve: (row, event) =>
      row ?? {
        correlationKey: keyOfEvent(event)!,
        globalPosition: event.globalPosition,
        streamId: event.streamId,
      },
  };
}
