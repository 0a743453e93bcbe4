import type { ObjectLiteral } from 'typeorm';
import { foldRows, type EntityProjection, type ProjectedEvent } from '../entity-projection.js';

/** given(events).then(rows): an entity projection folded from empty tables, without a database. */
export function projectionSpecFor<
  Row extends ObjectLiteral,
  E extends { type: string; data: unknown },
>(projection: EntityProjection<Row, E>) {
  return (events: ReadonlyArray<ProjectedEvent<E>>) => ({
    then(expected: Row[]) {
      const rows = new Map<string, Row | null>();
      foldRows({ projection, rows, events, changed: new Set() });
      expect([...rows.values()].filter((row) => row !== null)).toEqual(expected);
    },
  });
}

/** An event at `streamVersion` of its stream, recorded at `recordedAt` (its global position is irrelevant here). */
export function at<E extends { type: string; data: unknown }>(
  event: E,
  streamVersion: number,
  recordedAt: string,
  globalPosition = streamVersion,
): ProjectedEvent<E> {
  return { ...event, streamVersion, recordedAt: new Date(recordedAt), globalPosition };
}
