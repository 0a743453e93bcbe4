import { at, projectionSpecFor } from '../../projections/testing/entity-projection-spec.js';
import {
  type CorrelatedEvent,
  correlationEvents,
  correlationKeyOf,
} from './correlation-events.projection.js';

const keyOf = correlationKeyOf((text) => `pseudonym(${text.length})`);
const given = projectionSpecFor(correlationEvents(keyOf));
const correlationId = '8c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
const event = (streamId: string, correlation?: unknown): CorrelatedEvent => ({
  type: 'Something',
  data: {},
  streamId,
  metadata: correlation === undefined ? {} : { correlationId: correlation },
});

describe('correlation events', () => {
  it('indexes every event that carries a correlation id, across streams, under that id', () => {
    given([
      at(event('cart-1', correlationId), 3, '2026-12-01T10:00:00.000Z', 20),
      at(event('order-1', correlationId), 1, '2026-12-01T10:00:01.000Z', 21),
      at(event('account-1'), 4, '2026-12-01T10:00:02.000Z', 22),
      at(event('account-1', ''), 5, '2026-12-01T10:00:03.000Z', 23),
      at(event('account-1', 42), 6, '2026-12-01T10:00:04.000Z', 24),
    ]).then([
      { correlationKey: correlationId, globalPosition: 20, streamId: 'cart-1' },
      { correlationKey: correlationId, globalPosition: 21, streamId: 'order-1' },
    ]);
  });

  it('stores a correlation id that is not a UUID only as its pseudonym', () => {
    given([at(event('cart-1', 'ada@example.com'), 1, '2026-12-01T10:00:00.000Z', 30)]).then([
      { correlationKey: 'pseudonym(15)', globalPosition: 30, streamId: 'cart-1' },
    ]);
    expect(keyOf(correlationId)).toBe(correlationId);
    expect(keyOf(`${correlationId} `)).toBe('pseudonym(37)');
  });
});
