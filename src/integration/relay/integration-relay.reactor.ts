import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import type { PersistedEvent } from '../../event-store/index.js';
import { Reactor } from '../../projections/index.js';
import { IntegrationEventRegistry } from '../integration-event-registry.js';
import {
  correlationPseudonym,
  type IntegrationMessage,
  integrationMessageOf,
} from '../integration-message.js';
import { JetStreamRelay } from './jetstream-relay.js';

export const RELAY_PROJECTION = 'integration-relay';

/**
 * The durable subscriber of the global log that publishes integration events to JetStream: the engine gives it
 * a checkpoint, a lease, failover and its status; the checkpoint moves only once `react` is done, that is once
 * every message of the batch is acknowledged. See docs/architecture.md#integration-events-relay-to-nats-jetstream.
 */
@Reactor(RELAY_PROJECTION)
@Injectable()
export class IntegrationRelayReactor implements Reactor {
  private readonly subjectPrefix: string;
  private readonly pseudonym: (correlationId: string) => string;

  constructor(
    private readonly registry: IntegrationEventRegistry,
    private readonly relay: JetStreamRelay,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.subjectPrefix = config.integration.subjectPrefix;
    this.pseudonym = correlationPseudonym(config.masterKey.key);
  }

  /** Read when the engine starts its worker: every context has registered its contract by then. */
  get eventTypes(): readonly string[] {
    return this.registry.eventTypes;
  }

  async react(events: readonly PersistedEvent[]): Promise<void> {
    // Mapped first: an event its mapping cannot read is dead-lettered alone, like any handler's failure.
    await this.relay.publish(this.messagesOf(events));
  }

  messagesOf(events: readonly PersistedEvent[]): IntegrationMessage[] {
    const messages: IntegrationMessage[] = [];
    for (const event of events) {
      const message = integrationMessageOf(
        this.registry,
        this.subjectPrefix,
        event,
        this.pseudonym,
      );
      if (message) messages.push(message);
    }
    return messages;
  }
}
