import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { correlationPseudonym } from '../shared/correlation-pseudonym.js';
import { correlationKeyOf } from './projections/correlation-events.projection.js';

/** The key a correlation id is stored and looked up under: the same pseudonym the integration relay sends. */
@Injectable()
export class CorrelationKeys {
  readonly of: (correlationId: string) => string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.of = correlationKeyOf(correlationPseudonym(config.masterKey.key));
  }
}
