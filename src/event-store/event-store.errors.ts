import { domainError } from '../shared/domain-error.js';
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

/** New personal data for a subject whose key was destroyed: an erased subject stays erased. */
export class PersonalDataErasedError extends domainError('conflict', 'personal-data-erased') {
  constructor(readonly subject: string) {
    super(`The personal data of ${subject} was erased: no new personal data of it can be stored`);
  }
}

/** Stored personal data that does not authenticate: never returned as garbage. */
export class PersonalDataUnreadableError extends Error {
  constructor(
    readonly what: string,
    readonly reason: string,
  ) {
    super(`${what} cannot be decrypted: ${reason}`);
    this.name = 'PersonalDataUnreadableError';
  }
}
