import { DomainError } from '../shared/domain-error.js';

export class UnknownPosition extends DomainError {
  readonly kind = 'invalid';
  readonly code = 'unknown-position';
  constructor(readonly position: number) {
    super(`No event is stored at global position ${position}`);
  }
}

export class UnknownProjection extends DomainError {
  readonly kind = 'not-found';
  readonly code = 'unknown-projection';
  constructor(readonly projection: string) {
    super(`There is no projection named "${projection}"`);
  }
}

export class NothingToSkip extends DomainError {
  readonly kind = 'conflict';
  readonly code = 'nothing-to-skip';
  constructor(
    readonly projection: string,
    readonly position: number,
  ) {
    super(`Projection ${projection} is not stopped at event ${position}: there is nothing to skip`);
  }
}
