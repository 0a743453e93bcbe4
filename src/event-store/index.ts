// The event store's public surface: other modules import event-store only through this file.
export type { AggregateDefinition, SnapshotDefinition } from './aggregate.js';
export { arrayLiteral } from './array-literal.js';
export { commandEventId, deterministicUuid, eventIdRangeOf, timeOrderedUuid } from './event-ids.js';
export {
  type CommandResult,
  EventSourcedRepository,
  type SaveOptions,
  type UpdateOptions,
} from './event-sourced-repository.js';
export {
  ConcurrencyError,
  EventIdConflictError,
  PersonalDataErasedError,
  PersonalDataUnreadableError,
  UnknownEventTypeError,
} from './event-store.errors.js';
export { EventStoreModule, PG_POOL } from './event-store.module.js';
export type {
  AppendOptions,
  Checkpoint,
  DomainEvent,
  EventMetadata,
  ExpectedVersion,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
} from './event-store.types.js';
export { START } from './event-store.types.js';
export {
  type EventTypeDefinition,
  EventTypeRegistry,
  type Upcaster,
} from './event-type-registry.js';
export {
  MasterKeyRotation,
  MasterKeyRotationRefused,
  type MasterKeyStatus,
  type RotationProgress,
  type RotationResult,
} from './master-key-rotation.js';
export { masterKeyId, MasterKeys } from './master-keys.js';
export { type AppendResult, PersistedEvent } from './persisted-event.js';
export { PERSONAL_DATA_ERASED, type PersonalDataDeclaration } from './personal-data.js';
export type { PersonalDataColumns } from './personal-data-columns.js';
export { KeyRing, PersonalDataKeys } from './personal-data-keys.js';
export {
  type EventRow,
  PostgresEventStore,
  type Queryable,
  type StreamHead,
} from './postgres-event-store.js';
export { type DatedSnapshot, PostgresSnapshotStore } from './postgres-snapshot-store.js';
