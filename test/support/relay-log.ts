// What the relay must have published: every event of the log a context maps, in commit order, and the stream's
// messages read back as a test compares them.
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { StoredMsg } from 'nats';
import type pg from 'pg';
import type { Broker } from './nats.js';
import { ACCOUNTS_INTEGRATION_EVENTS } from '../../src/accounts/integration/accounts-integration-events.js';
import { CUSTOMERS_INTEGRATION_EVENTS } from '../../src/customers/integration/customers-integration-events.js';
import { IntegrationEventRegistry } from '../../src/integration/index.js';
import { ORDERS_INTEGRATION_EVENTS } from '../../src/orders/integration/orders-integration-events.js';
import { SHIPPING_INTEGRATION_EVENTS } from '../../src/shipping/integration/shipping-integration-events.js';

const addFormats = addFormatsModule.default;

export interface LoggedEvent {
  eventId: string;
  type: string;
  position: number;
  transactionId: string;
  streamId: string;
  streamVersion: number;
  recordedAt: Date;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

/** The app's contracts, registered as its modules do. */
export function contracts(): IntegrationEventRegistry {
  const registry = new IntegrationEventRegistry();
  registry.register(
    ACCOUNTS_INTEGRATION_EVENTS,
    CUSTOMERS_INTEGRATION_EVENTS,
    ORDERS_INTEGRATION_EVENTS,
    SHIPPING_INTEGRATION_EVENTS,
  );
  return registry;
}

/** Every event of the log some context maps, in commit order (transaction id, then position). */
export async function mappedLog(pool: pg.Pool): Promise<LoggedEvent[]> {
  const registry = contracts();
  const { rows } = await pool.query(
    `SELECT event_id, type, global_position, transaction_id::text AS transaction_id, stream_id, stream_version,
            recorded_at, data, metadata
     FROM events ORDER BY events.transaction_id, events.global_position -- the xid8 column, not the text alias`,
  );
  return rows
    .filter((row) => registry.mappingOf(row.type) !== undefined)
    .map((row) => ({
      eventId: row.event_id,
      type: row.type,
      position: Number(row.global_position),
      transactionId: row.transaction_id,
      streamId: row.stream_id,
      streamVersion: row.stream_version,
      recordedAt: row.recorded_at,
      data: row.data,
      metadata: row.metadata,
    }));
}

export interface Received {
  subject: string;
  headers: Record<string, string>;
  payload: Record<string, unknown>;
  /** Headers and payload as sent, to search for what must never be in them. */
  raw: string;
}

export function received(message: StoredMsg): Received {
  const headers: Record<string, string> = {};
  for (const name of message.header?.keys() ?? []) headers[name] = message.header!.get(name);
  const body = new TextDecoder().decode(message.data);
  return {
    subject: message.subject,
    headers,
    payload: JSON.parse(body) as Record<string, unknown>,
    raw: `${JSON.stringify(headers)}\n${body}`,
  };
}

/** Checks a message against the AsyncAPI document the app serves: its headers, and its payload by its type. */
export function asyncApiValidator(document: {
  components: {
    messages: Record<string, { payload: object }>;
    schemas: Record<string, object>;
  };
}): (message: Received) => string[] {
  const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, strict: false });
  addFormats(ajv);
  const headers = ajv.compile(document.components.schemas.ChronicleHeaders);
  const payloads = new Map(
    Object.entries(document.components.messages).map(([name, m]) => [name, ajv.compile(m.payload)]),
  );
  return (message) => {
    const errors: string[] = [];
    if (!headers(message.headers)) errors.push(`headers: ${ajv.errorsText(headers.errors)}`);
    const name = message.headers['Chronicle-Event-Type'];
    const payload = payloads.get(name);
    if (!payload) errors.push(`no message ${name} in the document`);
    else if (!payload(message.payload))
      errors.push(`${name} payload: ${ajv.errorsText(payload.errors)}`);
    return errors;
  };
}

/** Every mapped event of the log is in `stream` once, in commit order, and nothing else is; how many there are. */
export async function expectExactlyOnceInCommitOrder(
  pool: pg.Pool,
  broker: Broker,
  stream: string,
): Promise<number> {
  const expected = (await mappedLog(pool)).map((e) => e.eventId);
  const ids = (await broker.messages(stream)).map((m) => received(m).headers['Nats-Msg-Id']);
  expect({ count: ids.length, distinct: new Set(ids).size }).toEqual({
    count: expected.length,
    distinct: expected.length,
  });
  expect(ids).toEqual(expected);
  return expected.length;
}
