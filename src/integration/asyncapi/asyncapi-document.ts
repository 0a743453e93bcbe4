import type { IntegrationConfig } from '../../config/integration-config.js';
import {
  type IntegrationContract,
  type JsonSchema,
  publicNameOf,
  subjectOf,
} from '../integration-event.js';
import { HEADERS } from '../integration-message.js';

const DIGITS = '^[0-9]+$';

/** The headers of every message; `Chronicle-Correlation-Id` only when the event has one. */
export const MESSAGE_HEADERS: JsonSchema = {
  type: 'object',
  properties: {
    [HEADERS.msgId]: {
      type: 'string',
      format: 'uuid',
      description:
        'The event id: JetStream drops a second copy within the duplicate window; consumers deduplicate by it beyond',
    },
    [HEADERS.eventType]: {
      type: 'string',
      pattern: '^[A-Za-z0-9_-]+\\.v[0-9]+\\.[A-Za-z0-9_-]+$',
      description: 'The versioned integration event, e.g. accounts.v1.MoneyDeposited',
    },
    [HEADERS.position]: {
      type: 'string',
      pattern: DIGITS,
      description: "The event's global position in Chronicle's log (decimal)",
    },
    [HEADERS.transactionId]: {
      type: 'string',
      pattern: DIGITS,
      description:
        'The PostgreSQL transaction that stored it: commit order is (transaction id, position), in which messages arrive',
    },
    [HEADERS.streamId]: {
      type: 'string',
      description: 'The event-sourced stream, e.g. account-<uuid>',
    },
    [HEADERS.streamVersion]: {
      type: 'string',
      pattern: DIGITS,
      description: 'The version of that stream the event made (1-based, gap-free per stream)',
    },
    [HEADERS.schemaVersion]: {
      type: 'string',
      pattern: DIGITS,
      description: "The version of the context's integration contract",
    },
    [HEADERS.correlationId]: {
      type: 'string',
      format: 'uuid',
      description:
        'The request or workflow the event belongs to (an order id for the checkout). A client-given ' +
        'X-Correlation-Id that is not a UUID never goes out as it is (it may be personal data): it is sent as ' +
        'an HMAC of it under a key derived from the master key, formatted as a UUID, the same for the same id',
    },
    [HEADERS.recordedAt]: {
      type: 'string',
      format: 'date-time',
      description: 'When Chronicle stored the event (ISO 8601, UTC)',
    },
    [HEADERS.contentType]: { type: 'string', const: 'application/json' },
    'Nats-Expected-Last-Sequence': {
      type: 'string',
      pattern: DIGITS,
      description:
        "The relay's condition on the stream, kept with the message: on the first message of a batch, the stream's " +
        'last sequence it expects (JetStream refuses the message otherwise). Not for consumers',
    },
    'Nats-Expected-Last-Msg-Id': {
      type: 'string',
      format: 'uuid',
      description:
        'On every other message, the id of the message before it, which must be the last in the stream: a ' +
        'message refused is never followed by its successors. Not for consumers',
    },
  },
  required: Object.values(HEADERS).filter((name) => name !== HEADERS.correlationId),
};

/**
 * The AsyncAPI 3.0.0 document of the integration events, built from the contracts the contexts registered: one
 * channel per subject, a `send` operation and a message each, with the headers and payload schemas.
 */
export function asyncApiDocument(
  contracts: readonly IntegrationContract[],
  config: IntegrationConfig,
): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const contract of contracts) {
    for (const mapping of contract.events) {
      const name = publicNameOf(contract, mapping);
      const channel = `${contract.context}.${mapping.name}`;
      messages[name] = {
        name,
        title: `${mapping.name} (${contract.context} v${contract.version})`,
        summary: mapping.summary,
        contentType: 'application/json',
        correlationId: { location: `$message.header#/${HEADERS.correlationId}` },
        headers: { $ref: '#/components/schemas/ChronicleHeaders' },
        payload: mapping.payload,
      };
      channels[channel] = {
        address: subjectOf(config.subjectPrefix, contract, mapping),
        title: name,
        messages: { [mapping.name]: { $ref: `#/components/messages/${name}` } },
      };
      operations[name] = {
        action: 'send',
        title: `Chronicle publishes ${name}`,
        summary: mapping.summary,
        channel: { $ref: `#/channels/${channel}` },
        messages: [{ $ref: `#/channels/${channel}/messages/${mapping.name}` }],
      };
    }
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Chronicle integration events',
      version: '1.0.0',
      description:
        `Facts Chronicle publishes to NATS JetStream, stream \`${config.stream}\` (subjects ` +
        `\`${config.subjectPrefix}.>\`, file storage, duplicate window ${config.duplicateWindowMs / 1000} s), ` +
        'each event exactly once and in commit order. Public contracts, not internal events: only the events ' +
        'listed here leave, and none carries personal data (names, addresses, free text) or a key. ' +
        '`Nats-Msg-Id` is the event id: a consumer that keeps what it processed by that id (in the transaction ' +
        'of its effect) is idempotent even across a replay.',
    },
    defaultContentType: 'application/json',
    servers: servers(config),
    channels,
    operations,
    components: { messages, schemas: { ChronicleHeaders: MESSAGE_HEADERS } },
    'x-jetstream': {
      stream: config.stream,
      subjects: [`${config.subjectPrefix}.>`],
      storage: 'file',
      retention: 'limits',
      duplicateWindowMs: config.duplicateWindowMs,
    },
  };
}

/** The broker NATS_URL names, without its credentials; none configured, the local default. */
function servers(config: IntegrationConfig): Record<string, unknown> {
  const urls = config.nats?.servers ?? ['nats://localhost:4222'];
  return Object.fromEntries(
    urls.map((url, i) => {
      const { host, protocol } = new URL(url);
      return [
        urls.length === 1 ? 'nats' : `nats-${i + 1}`,
        {
          host,
          protocol: 'nats',
          description:
            (protocol === 'tls:' ? 'TLS. ' : '') +
            (config.nats ? 'JetStream' : 'Not configured on this instance (NATS_URL unset)'),
        },
      ];
    }),
  );
}
