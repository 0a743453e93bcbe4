import {
  type DeclaredProjection,
  EVERY_EVENT_TYPE,
  type ProjectedEvent,
} from '../../projections/index.js';
import { StreamCatalogEntry } from './stream-catalog.entity.js';

/**
 * The console browses the log a quarter of a second late at most: its two projections then run over larger batches
 * (every deposit woke them; bench/findings.md, 2026-12-07).
 */
export const EVENT_BROWSER_WAKE_INTERVAL_MS = 250;

/** Any event of the log: the catalog reads only its stream, type and place. */
export interface AnyEvent {
  type: string;
  data: unknown;
  streamId: string;
}

/** The part of a stream id before its first '-' (the whole id when it has none). */
export const categoryOf = (streamId: string): string => {
  const dash = streamId.indexOf('-');
  return dash < 0 ? streamId : streamId.slice(0, dash);
};

/** A stream's first event catalogues it, a type it did not hold yet adds that type; any other event changes nothing. */
export function evolveCatalog(
  row: StreamCatalogEntry | null,
  event: ProjectedEvent<AnyEvent>,
): StreamCatalogEntry | null {
  if (row?.types.includes(event.type)) return row;
  return {
    streamId: event.streamId,
    category: row?.category ?? categoryOf(event.streamId),
    types: [...(row?.types ?? []), event.type],
  };
}

/** `stream_catalog`: one row per stream, from every event of the log. */
export const streamCatalog: DeclaredProjection<StreamCatalogEntry, AnyEvent> = {
  name: 'stream-catalog',
  eventTypes: EVERY_EVENT_TYPE,
  withoutMetadata: true,
  withoutData: true,
  wakeIntervalMs: EVENT_BROWSER_WAKE_INTERVAL_MS,
  entity: StreamCatalogEntry,
  rowId: (event) => event.streamId,
  evolve: evolveCatalog,
  insertOnly: ['category'],
  // A batch read again after a crash may know fewer types than the row it meets.
  overwriteWhen: 'NOT t.types @> EXCLUDED.types',
};
