import { DomainError } from '../../shared/domain-error.js';

/** Only ever said to a customer about an id that is not theirs, whether or not anyone has it: nothing leaks. */
export class CustomerNotFound extends DomainError {
  readonly kind = 'not-found';
  readonly code = 'customer-not-found';
  constructor(readonly customerId: string) {
    super(`Customer ${customerId} does not exist`);
  }
}
