import specs from '@asyncapi/specs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { ACCOUNTS_INTEGRATION_EVENTS } from '../../accounts/index.js';
import { integrationConfig } from '../../config/integration-config.js';
import { CUSTOMERS_INTEGRATION_EVENTS } from '../../customers/index.js';
import { ORDERS_INTEGRATION_EVENTS } from '../../orders/index.js';
import { SHIPPING_INTEGRATION_EVENTS } from '../../shipping/index.js';
import { asyncApiDocument } from './asyncapi-document.js';

const addFormats = addFormatsModule.default;
const CONTRACTS = [
  ACCOUNTS_INTEGRATION_EVENTS,
  ORDERS_INTEGRATION_EVENTS,
  SHIPPING_INTEGRATION_EVENTS,
  CUSTOMERS_INTEGRATION_EVENTS,
];

/** The official AsyncAPI 3.0.0 JSON Schema (@asyncapi/specs), compiled once. */
function asyncApi3() {
  // It carries the draft-07 meta-schema among its definitions: ajv's own copy would clash with it.
  const ajv = new Ajv({ allErrors: true, strict: false, meta: false, validateSchema: false });
  addFormats(ajv);
  return ajv.compile(specs.schemas['3.0.0'] as object);
}

describe('the AsyncAPI document', () => {
  const validate = asyncApi3();

  it.each([
    ['without a broker', {}],
    [
      'with NATS_URL (credentials never shown)',
      { NATS_URL: 'nats://relay:hunter2@nats-1:4222,tls://nats-2' },
    ],
  ])('is a valid AsyncAPI 3.0.0 document %s', (_, env) => {
    const document = asyncApiDocument(CONTRACTS, integrationConfig(env));
    expect(validate(document) ? [] : validate.errors).toEqual([]);
    expect(JSON.stringify(document)).not.toContain('hunter2');
  });

  it('has a channel per subject, a send operation and a message with headers and payload per integration event', () => {
    const document = asyncApiDocument(
      CONTRACTS,
      integrationConfig({ NATS_URL: 'nats://nats:4222', NATS_SUBJECT_PREFIX: 'acme.chronicle' }),
    ) as {
      servers: Record<string, unknown>;
      channels: Record<string, { address: string }>;
      operations: Record<string, { action: string; channel: { $ref: string } }>;
      components: { messages: Record<string, { payload: unknown; headers: unknown }> };
    };
    expect(document.servers).toEqual({
      nats: { host: 'nats:4222', protocol: 'nats', description: 'JetStream' },
    });
    const events = CONTRACTS.flatMap((c) => c.events.map((e) => ({ c, e })));
    expect(Object.keys(document.channels)).toHaveLength(events.length);
    expect(document.channels['accounts.MoneyDeposited'].address).toBe(
      'acme.chronicle.accounts.MoneyDeposited',
    );
    expect(document.channels['orders.OrderPaid'].address).toBe('acme.chronicle.orders.OrderPaid');
    expect(document.operations['orders.v1.OrderPaid']).toMatchObject({
      action: 'send',
      channel: { $ref: '#/channels/orders.OrderPaid' },
    });
    for (const { c, e } of events)
      expect(document.components.messages[`${c.context}.v${c.version}.${e.name}`]).toMatchObject({
        payload: e.payload,
        headers: { $ref: '#/components/schemas/ChronicleHeaders' },
      });
  });
});
