import { Module } from '@nestjs/common';
import { IntegrationRelayReactor } from './integration-relay.reactor.js';
import { JetStreamRelay } from './jetstream-relay.js';
import { NatsLink } from './nats-link.js';
import { RelayMetrics } from './relay-metrics.js';

/** The relay to NATS JetStream: loaded (with the nats client) only when NATS_URL is set. */
@Module({
  providers: [RelayMetrics, NatsLink, JetStreamRelay, IntegrationRelayReactor],
  exports: [JetStreamRelay, IntegrationRelayReactor],
})
export class RelayModule {}
