import { domainError } from '../../../shared/domain-error.js';

export class UnknownStream extends domainError('not-found', 'stream-not-found') {
  constructor(readonly streamId: string) {
    super(`No stream ${JSON.stringify(streamId)} in the log`);
  }
}
