import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { DomainEvent } from '../../event-store/index.js';
import type { IntegrationContract } from '../integration-event.js';

// ajv-formats is CommonJS: its module.exports is the plugin, which TypeScript sees under `default`.
const addFormats = addFormatsModule.default;

/**
 * A context's contract under test, without a database: `publish(event)` is the payload its mapping sends for
 * that internal event, checked against the payload schema the AsyncAPI document publishes (it throws otherwise).
 */
export function contractSpecFor(contract: IntegrationContract) {
  const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, strict: true });
  addFormats(ajv);
  const byType = new Map(
    contract.events.map((mapping) => [
      mapping.type,
      { mapping, valid: ajv.compile(mapping.payload) },
    ]),
  );
  return {
    publish(event: DomainEvent): Record<string, unknown> {
      const entry = byType.get(event.type);
      if (!entry)
        throw new Error(`${contract.context}.v${contract.version} does not map ${event.type}`);
      const payload = entry.mapping.map(event.data);
      if (!entry.valid(payload))
        throw new Error(
          `${event.type} -> ${JSON.stringify(payload)}: ${ajv.errorsText(entry.valid.errors)}`,
        );
      // What a consumer receives: JSON, nothing that does not survive it.
      expect(JSON.parse(JSON.stringify(payload))).toEqual(payload);
      return payload;
    },
    types: [...byType.keys()],
  };
}
