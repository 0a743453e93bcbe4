import type { Checkpoint, PersistedEvent } from '../event-store/index.js';
import { correlationPseudonym } from '../shared/correlation-pseudonym.js';
import { publicNameOf, subjectOf } from './integration-event.js';
import type { IntegrationEventRegistry } from './integration-event-registry.js';

// Shared with the correlation index of the event browser, which stores the same pseudonym.
export { correlationPseudonym };

/** The headers of every message, as the contract names them (`Nats-Msg-Id` is the event id). */
export const HEADERS = {
  msgId: 'Nats-Msg-Id',
  eventType: 'Chronicle-Event-Type',
  position: 'Chronicle-Position',
  transactionId: 'Chronicle-Transaction-Id',
  streamId: 'Chronicle-Stream-Id',
  streamVersion: 'Chronicle-Stream-Version',
  schemaVersion: 'Chronicle-Schema-Version',
  correlationId: 'Chronicle-Correlation-Id',
  recordedAt: 'Chronicle-Recorded-At',
  contentType: 'Content-Type',
} as const;

/** One integration event as it goes to the broker; `headers` without `Nats-Msg-Id`, which is `msgId`. */
export interface IntegrationMessage {
  readonly subject: string;
  readonly msgId: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly payload: Record<string, unknown>;
  /** The event's place in commit order: the relay's high-water mark in the stream. */
  readonly checkpoint: Checkpoint;
}

/** A header value must be one line of visible ASCII; a correlation id that is not stays out. */
const HEADER_VALUE = /^[\x21-\x7e]{1,200}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The message of an event, or undefined for a type no context maps (it never leaves). A correlation id that is
 * not a UUID goes out through `pseudonym` (correlationPseudonym), or not at all without one.
 */
export function integrationMessageOf(
  registry: IntegrationEventRegistry,
  subjectPrefix: string,
  event: PersistedEvent,
  pseudonym?: (correlationId: string) => string,
): IntegrationMessage | undefined {
  const registered = registry.mappingOf(event.type);
  if (!registered) return undefined;
  const { contract, mapping } = registered;
  const headers: Record<string, string> = {
    [HEADERS.eventType]: publicNameOf(contract, mapping),
    [HEADERS.position]: String(event.globalPosition),
    [HEADERS.transactionId]: event.transactionId,
    [HEADERS.streamId]: event.streamId,
    [HEADERS.streamVersion]: String(event.streamVersion),
    [HEADERS.schemaVersion]: String(contract.version),
    [HEADERS.recordedAt]: event.recordedAt.toISOString(),
    [HEADERS.contentType]: 'application/json',
  };
  const { correlationId } = event.metadata;
  if (typeof correlationId === 'string' && UUID.test(correlationId))
    headers[HEADERS.correlationId] = correlationId;
  else if (typeof correlationId === 'string' && HEADER_VALUE.test(correlationId) && pseudonym)
    headers[HEADERS.correlationId] = pseudonym(correlationId);
  return {
    subject: subjectOf(subjectPrefix, contract, mapping),
    msgId: event.eventId,
    headers,
    payload: mapping.map(event.data),
    checkpoint: event.checkpoint,
  };
}

/** The checkpoint a message's headers carry; undefined when they are not a Chronicle message's. */
export function checkpointInHeaders(get: (name: string) => string): Checkpoint | undefined {
  const transactionId = get(HEADERS.transactionId);
  const position = Number(get(HEADERS.position));
  if (!/^\d{1,20}$/.test(transactionId) || !Number.isSafeInteger(position) || position < 1)
    return undefined;
  return { transactionId, position };
}
