import { domainError } from '../../shared/domain-error.js';

/** Only ever said to a customer about an id that is not theirs, whether or not anyone has it: nothing leaks. */
export class CustomerNotFound extends domainError('not-found', 'customer-not-found') {
  constructor(readonly customerId: string) {
    super(`Customer ${customerId} does not exist`);
  }
}
