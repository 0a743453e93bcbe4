import { ACCOUNTS_INTEGRATION_EVENTS } from '../../src/accounts/integration/accounts-integration-events.js';
import { IntegrationEventRegistry } from '../../src/integration/index.js';

/** The accounts' contract, as the app registers it: the bench's log holds account events only. */
export function relayRegistry(): IntegrationEventRegistry {
  const registry = new IntegrationEventRegistry();
  registry.register(ACCOUNTS_INTEGRATION_EVENTS);
  return registry;
}
