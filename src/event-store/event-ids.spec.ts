import { commandEventId, deterministicUuid, eventIdRangeOf, timeOrderedUuid } from './event-ids.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[78][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('event ids', () => {
  it('makes version 7 UUIDs that sort in the order of their time', () => {
    const ids = [0, 1, 2, 1000].map((ms) => timeOrderedUuid(1_780_000_000_000 + ms));

    expect(ids.every((id) => UUID.test(id) && id[14] === '7')).toBe(true);
    expect([...ids].reverse().sort()).toEqual(ids);
  });

  it("derives a command's event ids the same way each time, behind a time-ordered command id's time", () => {
    const command = timeOrderedUuid(1_780_000_000_000);
    const later = timeOrderedUuid(1_780_000_000_001);

    const id = commandEventId(command, 'account-1', 0);

    expect(id).toBe(commandEventId(command, 'account-1', 0));
    expect(UUID.test(id) && id[14] === '8').toBe(true);
    expect(id.slice(0, 13)).toBe(command.slice(0, 13));
    expect(
      new Set([
        id,
        commandEventId(command, 'account-1', 1),
        commandEventId(command, 'account-2', 0),
      ]).size,
    ).toBe(3);
    expect(commandEventId(later, 'account-1', 0) > id).toBe(true);
  });

  it('keeps the plain hash for a command id that is not time-ordered, as ids stored before were derived', () => {
    const command = '6f1c2a3e-9b7d-4c1e-8a2b-3c4d5e6f7a8b';

    expect(commandEventId(command, 'account-1', 0)).toBe(
      deterministicUuid(command, 'account-1', 0),
    );
  });

  it("bounds a time-ordered command's event ids by its millisecond, and nothing else", () => {
    const command = timeOrderedUuid(Date.parse('2026-12-01T10:00:00.000Z'));
    const range = eventIdRangeOf(command)!;
    for (const id of [0, 1, 2].map((i) => commandEventId(command, 'account-1', i))) {
      expect(id >= range.from && id <= range.to).toBe(true);
    }
    const next = timeOrderedUuid(Date.parse('2026-12-01T10:00:00.001Z'));
    expect(commandEventId(next, 'account-1', 0) > range.to).toBe(true);
    expect(eventIdRangeOf('6f1c2a3e-9b7d-4c1e-8a2b-3c4d5e6f7a8b')).toBeUndefined();
    expect(eventIdRangeOf(command.toUpperCase())).toBeUndefined();
    expect(eventIdRangeOf('ada@example.com')).toBeUndefined();
  });
});
