import { UnknownEventTypeError } from './event-store.errors.js';
import { EventTypeRegistry } from './event-type-registry.js';
import { persistedEvent } from './testing/persisted-events.js';

const at = (type: string, schemaVersion: number, data: Record<string, unknown> = {}) =>
  persistedEvent({ type, data }, { schemaVersion });

describe('EventTypeRegistry', () => {
  const registry = new EventTypeRegistry();
  registry.register(
    {
      type: 'Renamed',
      schemaVersion: 3,
      upcasters: {
        1: ({ name, ...rest }) => ({ ...rest, fullName: name }),
        2: (data) => ({ ...data, locale: 'en' }),
      },
    },
    { type: 'Gapped', schemaVersion: 3, upcasters: { 2: (data) => ({ ...data, two: true }) } },
    { type: 'Plain' },
  );

  it('lifts an event through every step of the chain, one version at a time', () => {
    expect(registry.upcast(at('Renamed', 1, { name: 'Ada' }))).toMatchObject({
      schemaVersion: 3,
      data: { fullName: 'Ada', locale: 'en' },
    });
    expect(registry.upcast(at('Renamed', 2, { fullName: 'Ada' })).data).toEqual({
      fullName: 'Ada',
      locale: 'en',
    });
    expect(registry.upcastData('Gapped', 2, {})).toEqual({ two: true });
  });

  it('does no work on an event at the current version', () => {
    const current = at('Renamed', 3, { fullName: 'Ada', locale: 'fr' });
    expect(registry.upcast(current)).toBe(current);
    expect(registry.upcastData('Plain', 1, current.data)).toBe(current.data);
  });

  it.each([
    ['Gapped', 1, /"Gapped" stored at schema version 1: no upcaster path to the current version 3/],
    ['Renamed', 4, /"Renamed" stored at schema version 4/],
    ['Plain', 0, /"Plain" stored at schema version 0/],
    ['Unheard', 2, /Unknown event type "Unheard" \(stored at schema version 2\)/],
  ])('refuses %s at version %p, naming both', (type, version, message) => {
    const attempt = () => registry.upcast(at(type, version));
    expect(attempt).toThrow(UnknownEventTypeError);
    expect(attempt).toThrow(message);
  });

  it('writes new events at the current version and refuses an unknown type', () => {
    expect(registry.definitionOf('Renamed').schemaVersion).toBe(3);
    expect(registry.definitionOf('Plain').schemaVersion).toBe(1);
    expect(() => registry.definitionOf('Unheard')).toThrow('Unknown event type "Unheard"');
  });

  it('refuses definitions that cannot be right', () => {
    const fresh = new EventTypeRegistry();
    expect(() =>
      fresh.register({ type: 'A', schemaVersion: 2, upcasters: { 2: (d) => d } }),
    ).toThrow(/upcaster from version 2/);
    expect(() => fresh.register({ type: 'A', schemaVersion: 0 })).toThrow(/1 to 32767/);
    fresh.register({ type: 'A', schemaVersion: 2 });
    expect(() => fresh.register({ type: 'A', schemaVersion: 3 })).toThrow(/registered twice/);
  });
});
