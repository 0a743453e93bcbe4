// The projection engine's public surface: other modules import projections only through this file.
export { compareCheckpoints, reached } from './checkpoint.js';
// The shared entity writer (issue 12) changes fast: everything it exports.
export * from './entity-projection.js';
export * from './projection-of.js';
export { announceEvents, type EventsNotice } from './events-notice.js';
export {
  Consumer,
  Projection,
  type ProcessorOptions,
  type ProjectionTransaction,
  Reactor,
  type ReadModel,
} from './processor.js';
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
