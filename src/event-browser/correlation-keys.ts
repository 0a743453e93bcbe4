import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { correlationPseudonym } from '../shared/correlation-pseudonym.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The key a correlation id is stored under: a UUID as it is, any other text only as its pseudonym. */
export const correlationKeyOf =
  (pseudonym: (correlationId: string) => string) =>
  (correlationId: string): string =>
    UUID.test(correlationId) ? correlationId : pseudonym(correlationId);

/** The key a correlation id is stored and looked up under: the same pseudonym the integration relay sends. */
@Injectable()
export class CorrelationKeys {
  readonly of: (correlationId: string) => string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.of = correlationKeyOf(correlationPseudonym(config.masterKey.key));
  }
}
