// The projection engine's public surface: other modules import projections only through this file.
export { compareCheckpoints, reached } from './checkpoint.js';
// The shared entity writer and @Reactor (issue 12) change fast: everything they export.
export * from './entity-projection.js';
export * from './reactor.js';
export * from './projection-of.js';
export { announceEvents, type EventsNotice } from './events-notice.js';
export { Projection, type ProjectionHandler, type ProjectionTransaction } from './projection.js';
export {
  DependencyUnavailable,
  NothingToSkip,
  UnknownPosition,
  UnknownProjection,
} from './projection.errors.js';
export type { DeadLetter } from './projection-operations.js';
export { RebuildInProgress, type RebuildProgress, shadowSchemaOf } from './projection-rebuild.js';
export { ProjectionRunner } from './projection-runner.service.js';
export type { ProjectionState, ProjectionStatus } from './projection-status.js';
export { ProjectionsModule } from './projections.module.js';
