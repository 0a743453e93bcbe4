import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { AppConfig } from '../config/config.js';
import { AsyncApiController } from './asyncapi/asyncapi.controller.js';
import { IntegrationEventRegistry } from './integration-event-registry.js';

/**
 * Integration events: the registry of the contexts' public contracts and /asyncapi.json, always; the relay to
 * NATS JetStream only with NATS_URL, imported on demand so that without it the nats client is never loaded.
 */
@Global()
@Module({})
export class IntegrationModule {
  static forRoot(config: Pick<AppConfig, 'integration'>): DynamicModule {
    return {
      module: IntegrationModule,
      imports: config.integration.nats
        ? [import('./relay/relay.module.js').then(({ RelayModule }) => ({ module: RelayModule }))]
        : [],
      controllers: [AsyncApiController],
      providers: [IntegrationEventRegistry],
      exports: [IntegrationEventRegistry],
    };
  }
}
