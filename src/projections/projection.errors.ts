import { domainError } from '../shared/domain-error.js';

export class UnknownPosition extends domainError('invalid', 'unknown-position') {
  constructor(readonly position: number) {
    super(`No event is stored at global position ${position}`);
  }
}

export class UnknownProjection extends domainError('not-found', 'unknown-projection') {
  constructor(readonly projection: string) {
    super(`There is no projection named "${projection}"`);
  }
}

export class NothingToSkip extends domainError('conflict', 'nothing-to-skip') {
  constructor(
    readonly projection: string,
    readonly position: number,
  ) {
    super(`Projection ${projection} is not stopped at event ${position}: there is nothing to skip`);
  }
}

/**
 * Thrown by a reactor whose downstream (a message broker) cannot take its events now: not the events' fault, so
 * retried with backoff like a lost database connection, never dead-lettered. See docs/architecture.md#projections.
 */
export class DependencyUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DependencyUnavailable';
  }
}
