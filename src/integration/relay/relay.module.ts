import { Module } from '@nestjs/common';
import { BROKER_LINK } from '../broker-link.js';
import { IntegrationRelayReactor } from './integration-relay.reactor.js';
import { JetStreamRelay } from './jetstream-relay.js';
import { NatsLink } from './nats-link.js';
import { RelayMetrics } from './relay-metrics.js';

/** The relay to NATS JetStream: loaded (with the nats client) only when NATS_URL is set. */
@Module({
  providers: [
    RelayMetrics,
    NatsLink,
    { provide: BROKER_LINK, useExisting: NatsLink },
    JetStreamRelay,
    IntegrationRelayReactor,
  ],
  exports: [JetStreamRelay, IntegrationRelayReactor, BROKER_LINK],
})
export class RelayModule {}
