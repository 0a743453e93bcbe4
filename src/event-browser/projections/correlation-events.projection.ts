import { eventIdRangeOf } from '../../event-store/index.js';
import {
  compositeId,
  type DeclaredProjection,
  EVERY_EVENT_TYPE,
  type ProjectedEvent,
} from '../../projections/index.js';
import type { CorrelationKeys } from '../correlation-keys.js';
import { CorrelationEvent } from './correlation-event.entity.js';
import { EVENT_BROWSER_WAKE_INTERVAL_MS } from './stream-catalog.projection.js';

/** Any event of the log: the correlation index reads only its id, stream, place and metadata's two ids. */
export interface CorrelatedEvent {
  type: string;
  data: unknown;
  eventId: string;
  streamId: string;
  metadata: { correlationId?: unknown; commandId?: unknown };
}

/**
 * An event of a command correlated with itself (no X-Correlation-Id: most of them) whose id the command's id lent
 * its time to: the log finds it by that range of event ids (eventIdRangeOf), so the index holds no row for it.
 */
export function foundByItsCommand(event: Pick<CorrelatedEvent, 'eventId' | 'metadata'>): boolean {
  const { correlationId, commandId } = event.metadata;
  if (typeof commandId !== 'string' || correlationId !== commandId) return false;
  const range = eventIdRangeOf(commandId);
  return range !== undefined && event.eventId >= range.from && event.eventId <= range.to;
}

/**
 * `correlation_events`: one row per event of the log that carries a correlation id the log cannot find it by
 * (foundByItsCommand), under its key; written once, never changed.
 */
export function correlationEvents({
  of: keyOf,
}: CorrelationKeys): DeclaredProjection<CorrelationEvent, CorrelatedEvent> {
  const keyOfEvent = (event: ProjectedEvent<CorrelatedEvent>): string | null => {
    const { correlationId } = event.metadata;
    if (typeof correlationId !== 'string' || correlationId === '' || foundByItsCommand(event))
      return null;
    return keyOf(correlationId);
  };
  return {
    name: 'correlation-events',
    eventTypes: EVERY_EVENT_TYPE,
    withoutData: true,
    wakeIntervalMs: EVENT_BROWSER_WAKE_INTERVAL_MS,
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
