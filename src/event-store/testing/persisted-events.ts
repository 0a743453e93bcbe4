import { randomUUID } from 'node:crypto';
import type { DomainEvent } from '../event-store.types.js';
import { PersistedEvent, type PersistedEventFields } from '../persisted-event.js';

/** Where and when a spec's event was stored: any field of a stored event but its type and data. */
export type StoredAs = Partial<Omit<PersistedEventFields, 'type' | 'data' | 'recordedAt'>> & {
  readonly recordedAt?: Date | string;
};

let lastPosition = 0;

/**
 * A stored event for a spec, without a database. What `stored` leaves out is made up: a fresh id, the next global
 * position of this test file, version 1 of `stream-1` in transaction '1', schema version 1, no metadata, the epoch.
 */
export function persistedEvent<E extends DomainEvent<string, unknown>>(
  { type, data }: E,
  { recordedAt = new Date(0), ...stored }: StoredAs = {},
): PersistedEvent<E['data']> {
  return new PersistedEvent({
    eventId: randomUUID(),
    streamId: 'stream-1',
    streamVersion: 1,
    globalPosition: ++lastPosition,
    transactionId: '1',
    type,
    schemaVersion: 1,
    data,
    metadata: {},
    ...stored,
    recordedAt: new Date(recordedAt),
  });
}
