// Integration events' public surface: contexts declare their contracts with these; nothing here loads nats.
export {
  closedObject,
  field,
  type IntegrationContract,
  integrationEvent,
  type IntegrationEventMapping,
  type JsonSchema,
  publicNameOf,
  subjectOf,
} from './integration-event.js';
export { BROKER_LINK, type BrokerLink } from './broker-link.js';
export { IntegrationEventRegistry } from './integration-event-registry.js';
export { HEADERS, type IntegrationMessage, integrationMessageOf } from './integration-message.js';
export { IntegrationModule } from './integration.module.js';
