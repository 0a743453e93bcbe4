import type { ExpectedVersion } from './event-store.types.js';

export class ConcurrencyError extends Error {
  constructor(
    readonly streamId: string,
    readonly expectedVersion: ExpectedVersion,
    readonly actualVersion: number,
  ) {
    super(`Stream ${streamId} is at version ${actualVersion}, expected ${expectedVersion}`);
    this.name = 'ConcurrencyError';
  }
}

/** Some, but not all, of the event ids of an append are already stored, or stored in another stream. */
export class EventIdConflictError extends Error {
  constructor(
    readonly streamId: string,
    readonly eventIds: string[],
  ) {
    super(`Event ids already used by other events: ${eventIds.join(', ')}`);
    this.name = 'EventIdConflictError';
  }
}

/** A stored or new event whose type is not registered, or stored at a schema version no upcaster chain lifts. */
export class UnknownEventTypeError extends Error {
  constructor(
    readonly eventType: string,
    /** The version the event was stored with; undefined for a new event. */
    readonly schemaVersion?: number,
    /** The type's current version; undefined when the type is not registered. */
    readonly currentVersion?: number,
  ) {
    super(
      schemaVersion === undefined
        ? `Unknown event type "${eventType}"`
        : currentVersion === undefined
          ? `Unknown event type "${eventType}" (stored at schema version ${schemaVersion})`
          : `No way to read event type "${eventType}" stored at schema version ${schemaVersion}: ` +
            `no upcaster path to the current version ${currentVersion}`,
    );
    this.name = 'UnknownEventTypeError';
  }
}
