import type { Checkpoint, PersistedEvent } from '../event-store/index.js';
import { publicNameOf, subjectOf } from './integration-event.js';
import type { IntegrationEventRegistry } from './integration-event-registry.js';

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

/** The message of an event, or undefined for a type no context maps (it never leaves). */
export function integrationMessageOf(
  registry: IntegrationEventRegistry,
  subjectPrefix: string,
  event: PersistedEvent,
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
  if (typeof correlationId === 'string' && HEADER_VALUE.test(correlationId))
    headers[HEADERS.correlationId] = correlationId;
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
