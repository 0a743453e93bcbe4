import type { Checkpoint } from '../event-store/index.js';
import { RequestValidationError } from '../http/problem.js';
import { UnknownPosition } from '../projections/index.js';
import { messageIdOf, positionOf, startOf } from './live-position.js';

/** Positions 1..9 stored, committed in this order of transactions: 5 before 4, say. */
const LOG: Record<number, Checkpoint> = {
  3: { transactionId: '700', position: 3 },
  4: { transactionId: '702', position: 4 },
  5: { transactionId: '701', position: 5 },
};
const lookUp = async (position: number) => LOG[position];

describe('live stream positions', () => {
  it('names a message by its global position, which reads back as the same position', () => {
    expect(messageIdOf(1042)).toBe('1042');
    expect(positionOf(messageIdOf(1042), 'after')).toBe(1042);
    expect(positionOf(String(Number.MAX_SAFE_INTEGER), 'after')).toBe(Number.MAX_SAFE_INTEGER);
    expect(positionOf(undefined, 'after')).toBeUndefined();
    expect(positionOf('', 'Last-Event-ID')).toBeUndefined();
  });

  it.each(['-1', '1.5', '1e3', ' 1', '0x10', 'abc', '\u0000', '9007199254740993', '1'.repeat(17)])(
    'refuses %p as a position, naming the field',
    (raw) => {
      expect(() => positionOf(raw, 'Last-Event-ID')).toThrow(RequestValidationError);
      try {
        positionOf(raw, 'Last-Event-ID');
      } catch (error) {
        expect((error as RequestValidationError).errors[0].field).toBe('Last-Event-ID');
      }
    },
  );

  it('starts now without either, at the start of the log after 0, else after the checkpoint of the position', async () => {
    expect(await startOf({}, lookUp)).toBeUndefined();
    expect(await startOf({ after: '0' }, lookUp)).toEqual({ transactionId: '0', position: 0 });
    expect(await startOf({ after: '4' }, lookUp)).toEqual(LOG[4]);
    expect(await startOf({ lastEventId: '5' }, lookUp)).toEqual(LOG[5]);
    await expect(startOf({ after: '6' }, lookUp)).rejects.toThrow(UnknownPosition);
    await expect(startOf({ lastEventId: '6' }, lookUp)).rejects.toThrow(UnknownPosition);
  });

  it('takes Last-Event-ID over after when it is at or past it in the log, and refuses one before it', async () => {
    expect(await startOf({ after: '3', lastEventId: '3' }, lookUp)).toEqual(LOG[3]);
    expect(await startOf({ after: '3', lastEventId: '4' }, lookUp)).toEqual(LOG[4]);
    // 5 committed before 4: in the log, 4 is past 5 although its position is lower.
    expect(await startOf({ after: '5', lastEventId: '4' }, lookUp)).toEqual(LOG[4]);
    await expect(startOf({ after: '4', lastEventId: '5' }, lookUp)).rejects.toThrow(
      RequestValidationError,
    );
    await expect(startOf({ after: '4', lastEventId: '3' }, lookUp)).rejects.toThrow(
      RequestValidationError,
    );
  });
});
