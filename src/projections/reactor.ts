import type { PersistedEvent } from '../event-store/persisted-event.js';
import { Projection, type ProjectionHandler } from './projection.js';

/**
 * Reacts to events of the global log with commands, and owns no tables. `react` must be idempotent
 * (deterministic command ids): a batch interrupted anywhere comes again. See docs/architecture.md#orders-and-the-checkout-saga.
 */
export interface ReactorHandler {
  readonly eventTypes: readonly string[];
  /** At most this many of its events per batch: keeps what a crash makes it redo small. */
  readonly maxBatchEvents?: number;
  react(events: readonly PersistedEvent[]): Promise<void>;
}

const NO_TABLES: Pick<ProjectionHandler, 'tables' | 'apply'> = {
  tables: [],
  apply: async () => {},
};

/**
 * Marks a provider as a reactor under `name`: the engine gives it a checkpoint, a lease and log order, and runs
 * it as a projection with no tables, whose checkpoint moves alone once `react` is done (a rebuild reacts to nothing).
 */
export const Reactor =
  (name: string) =>
  <T extends abstract new (...args: never[]) => ReactorHandler>(target: T): void => {
    Object.assign(target.prototype as object, NO_TABLES);
    Projection(name)(target);
  };
