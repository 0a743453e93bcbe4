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

export class UnknownEventTypeError extends Error {
  constructor(
    readonly eventType: string,
    readonly schemaVersion?: number,
  ) {
    super(
      schemaVersion === undefined
        ? `Unknown event type "${eventType}"`
        : `No way to read event type "${eventType}" at schema version ${schemaVersion}`,
    );
    this.name = 'UnknownEventTypeError';
  }
}
