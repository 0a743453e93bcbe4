import { EVERY_EVENT_TYPE } from '../../projections/index.js';
import { at, projectionSpecFor } from '../../projections/testing/entity-projection-spec.js';
import { commandEventId, timeOrderedUuid } from '../../event-store/index.js';
import { correlationKeyOf } from '../correlation-keys.js';
import { type CorrelatedEvent, correlationEvents } from './correlation-events.projection.js';

const keyOf = correlationKeyOf((text) => `pseudonym(${text.length})`);
const given = projectionSpecFor(correlationEvents({ of: keyOf }));
const correlationId = '8c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
const event = (streamId: string, correlation?: unknown): CorrelatedEvent => ({
  type: 'Something',
  data: {},
  eventId: '0b6f1f7e-2c1d-4a4e-9d7b-3f0e5a1c2b9d',
  streamId,
  metadata: correlation === undefined ? {} : { correlationId: correlation },
});
/** The index-th event of a command with its own id as the correlation id, its event id derived from the command's. */
const ownCorrelation = (commandId: string, streamId: string, index = 0): CorrelatedEvent => ({
  ...event(streamId, commandId),
  eventId: commandEventId(commandId, streamId, index),
  metadata: { correlationId: commandId, commandId },
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

  it("holds no row for a command's own events (the log finds them by their ids' range), and one for any other", () => {
    const commandId = timeOrderedUuid(Date.parse('2026-12-01T10:00:00.000Z'));
    const other = timeOrderedUuid(Date.parse('2026-12-01T10:00:01.000Z'));
    const legacyCommand = '8c1d2e3f-4a5b-8c6d-8e7f-9a0b1c2d3e4f';
    given([
      at(ownCorrelation(commandId, 'account-1'), 2, '2026-12-01T10:00:00.000Z', 40),
      at(ownCorrelation(commandId, 'account-1', 1), 3, '2026-12-01T10:00:00.000Z', 41),
      // Its id not lent the command's time (appended with an id of its own).
      at(
        { ...ownCorrelation(commandId, 'account-2'), eventId: other },
        1,
        '2026-12-01T10:00:01.000Z',
        42,
      ),
      // A command id that is not time-ordered lends its events no time.
      at(ownCorrelation(legacyCommand, 'account-3'), 1, '2026-12-01T10:00:02.000Z', 43),
      // Correlated with another command's id (a saga's step, an X-Correlation-Id).
      at(
        {
          ...ownCorrelation(other, 'order-1'),
          metadata: { correlationId: commandId, commandId: other },
        },
        1,
        '2026-12-01T10:00:03.000Z',
        44,
      ),
    ]).then([
      { correlationKey: commandId, globalPosition: 42, streamId: 'account-2' },
      { correlationKey: legacyCommand, globalPosition: 43, streamId: 'account-3' },
      { correlationKey: commandId, globalPosition: 44, streamId: 'order-1' },
    ]);
  });

  it('reads every type as stored, without its data, at most every 250 ms', () => {
    const { name, eventTypes, withoutData, wakeIntervalMs } = correlationEvents({ of: keyOf });

    expect({ name, eventTypes, withoutData, wakeIntervalMs }).toEqual({
      name: 'correlation-events',
      eventTypes: EVERY_EVENT_TYPE,
      withoutData: true,
      wakeIntervalMs: 250,
    });
  });
});
