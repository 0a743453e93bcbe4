import type { DomainEvent } from '../event-store/index.js';

/** A JSON Schema (the subset AsyncAPI 3 and ajv agree on): what a payload holds, closed to other fields. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/**
 * How one internal event leaves the service: its public name and payload schema, and `map`, which builds the
 * payload from the event's data. Public contracts carry ids, amounts, codes and statuses, never personal data
 * (names, addresses, free text) nor keys, so nothing published can outlive an erasure.
 */
export interface IntegrationEventMapping<E extends DomainEvent = DomainEvent> {
  /** The internal event type, as stored. */
  readonly type: E['type'];
  /** The public event name within its context, e.g. `MoneyDeposited`; the subject's last token. */
  readonly name: string;
  readonly summary: string;
  readonly payload: JsonSchema;
  map(data: E['data']): Record<string, unknown>;
}

/** A context's public contract at one version: `<context>.v<version>.<name>` on `<prefix>.<context>.<name>`. */
export interface IntegrationContract {
  readonly context: string;
  readonly version: number;
  readonly events: readonly IntegrationEventMapping[];
}

/** One mapping, typed by the internal event it reads. */
export const integrationEvent = <E extends DomainEvent>(
  mapping: IntegrationEventMapping<E>,
): IntegrationEventMapping => mapping as unknown as IntegrationEventMapping;

/** `accounts.v1.MoneyDeposited`: what `Chronicle-Event-Type` says. */
export const publicNameOf = (contract: IntegrationContract, mapping: IntegrationEventMapping) =>
  `${contract.context}.v${contract.version}.${mapping.name}`;

/** `chronicle.accounts.MoneyDeposited`. */
export const subjectOf = (
  prefix: string,
  contract: IntegrationContract,
  mapping: IntegrationEventMapping,
) => `${prefix}.${contract.context}.${mapping.name}`;

/** An object schema whose fields are all required and that admits no others. */
export const closedObject = (properties: Record<string, JsonSchema>): JsonSchema => ({
  type: 'object',
  properties,
  required: Object.keys(properties),
  additionalProperties: false,
});

/** Shared field schemas: ids, money, codes. */
export const field = {
  uuid: (description: string): JsonSchema => ({ type: 'string', format: 'uuid', description }),
  nullableUuid: (description: string): JsonSchema => ({
    type: ['string', 'null'],
    format: 'uuid',
    description,
  }),
  /** Integer minor units (cents), a safe integer. */
  amount: (description: string): JsonSchema => ({
    type: 'integer',
    minimum: 1,
    maximum: Number.MAX_SAFE_INTEGER,
    description,
  }),
  currency: (): JsonSchema => ({
    type: 'string',
    pattern: '^[A-Z]{3}$',
    description: 'ISO 4217 code',
  }),
  code: (description: string, values?: readonly string[]): JsonSchema =>
    values
      ? { type: 'string', enum: [...values], description }
      : { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', description },
};
