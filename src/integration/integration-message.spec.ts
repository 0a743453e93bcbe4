import { createSecretKey } from 'node:crypto';
import type { PersistedEvent } from '../event-store/index.js';
import {
  closedObject,
  field,
  type IntegrationContract,
  integrationEvent,
} from './integration-event.js';
import { IntegrationEventRegistry } from './integration-event-registry.js';
import {
  checkpointInHeaders,
  correlationPseudonym,
  integrationMessageOf,
} from './integration-message.js';

const CONTRACT: IntegrationContract = {
  context: 'accounts',
  version: 1,
  events: [
    integrationEvent({
      type: 'MoneyDeposited',
      name: 'MoneyDeposited',
      summary: 'Money in',
      payload: closedObject({ accountId: field.uuid('The account') }),
      map: (data: { accountId: string }) => ({ accountId: data.accountId }),
    }),
  ],
};

const stored = (type: string, metadata: Record<string, unknown> = {}) =>
  ({
    eventId: 'a8c3e1f0-1b2c-4d3e-8f40-5a6b7c8d9e0f',
    streamId: 'account-2f8e6c1a-4b3d-4e5f-9a7b-1c2d3e4f5a6b',
    streamVersion: 7,
    globalPosition: 1042,
    transactionId: '98765',
    type,
    schemaVersion: 2,
    data: { accountId: '2f8e6c1a-4b3d-4e5f-9a7b-1c2d3e4f5a6b', description: 'rent' },
    metadata,
    recordedAt: new Date('2026-12-06T10:00:00.123Z'),
    checkpoint: { transactionId: '98765', position: 1042 },
  }) as unknown as PersistedEvent;

describe('integration messages', () => {
  const registry = new IntegrationEventRegistry();
  registry.register(CONTRACT);

  it('carry the event id, its place in commit order, its stream and the contract version in headers', () => {
    expect(
      integrationMessageOf(
        registry,
        'chronicle',
        stored('MoneyDeposited', { correlationId: '5d1e7c2a-3b4f-4a6e-8c9d-0e1f2a3b4c5d' }),
      ),
    ).toEqual({
      subject: 'chronicle.accounts.MoneyDeposited',
      msgId: 'a8c3e1f0-1b2c-4d3e-8f40-5a6b7c8d9e0f',
      headers: {
        'Chronicle-Event-Type': 'accounts.v1.MoneyDeposited',
        'Chronicle-Position': '1042',
        'Chronicle-Transaction-Id': '98765',
        'Chronicle-Stream-Id': 'account-2f8e6c1a-4b3d-4e5f-9a7b-1c2d3e4f5a6b',
        'Chronicle-Stream-Version': '7',
        'Chronicle-Schema-Version': '1',
        'Chronicle-Correlation-Id': '5d1e7c2a-3b4f-4a6e-8c9d-0e1f2a3b4c5d',
        'Chronicle-Recorded-At': '2026-12-06T10:00:00.123Z',
        'Content-Type': 'application/json',
      },
      payload: { accountId: '2f8e6c1a-4b3d-4e5f-9a7b-1c2d3e4f5a6b' },
      checkpoint: { transactionId: '98765', position: 1042 },
    });
  });

  it('send a UUID correlation id as it is, and any other only as a stable pseudonym that does not reveal it', () => {
    const pseudonym = correlationPseudonym(createSecretKey(Buffer.alloc(32, 7)));
    const correlation = (correlationId: string, p?: (id: string) => string) =>
      integrationMessageOf(registry, 'chronicle', stored('MoneyDeposited', { correlationId }), p)!
        .headers['Chronicle-Correlation-Id'];
    const uuid = '0b7c7a3e-5d2f-4c1a-9e8b-3f6a2d1c0e9f';
    expect(correlation(uuid, pseudonym)).toBe(uuid);
    const email = 'zebediah.quixotic@example.com';
    const sent = correlation(email, pseudonym);
    expect(sent).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(sent).toBe(correlation(email, pseudonym));
    expect(sent).not.toBe(correlation('someone.else@example.com', pseudonym));
    expect(correlation(email)).toBeUndefined();
  });

  it('leave a correlation id that is not one line of visible ASCII out, and an unmapped event type in', () => {
    for (const correlationId of ['two\r\nlines', 'with space', '', 'x'.repeat(201), 42])
      expect(
        integrationMessageOf(registry, 'chronicle', stored('MoneyDeposited', { correlationId }))!
          .headers,
      ).not.toHaveProperty('Chronicle-Correlation-Id');
    expect(
      integrationMessageOf(registry, 'chronicle', stored('AccountSnapshotTaken')),
    ).toBeUndefined();
  });

  it("give their checkpoint back from their headers, and nothing for a message that is not Chronicle's", () => {
    const { headers } = integrationMessageOf(registry, 'chronicle', stored('MoneyDeposited'))!;
    expect(checkpointInHeaders((name) => headers[name] ?? '')).toEqual({
      transactionId: '98765',
      position: 1042,
    });
    expect(checkpointInHeaders(() => '')).toBeUndefined();
    expect(
      checkpointInHeaders((name) => (name === 'Chronicle-Position' ? '-1' : '5')),
    ).toBeUndefined();
  });

  it('are registered once per internal type and public name', () => {
    expect(() => registry.register({ ...CONTRACT, context: 'ledger' })).toThrow(
      'Event type MoneyDeposited is mapped to two integration events',
    );
    expect(() =>
      new IntegrationEventRegistry().register({
        ...CONTRACT,
        events: [CONTRACT.events[0], { ...CONTRACT.events[0], type: 'MoneyWithdrawn' }],
      }),
    ).toThrow('Integration event accounts.v1.MoneyDeposited: a subject token, once per contract');
    expect(() => new IntegrationEventRegistry().register({ ...CONTRACT, context: 'a.b' })).toThrow(
      /a context token/,
    );
  });
});
