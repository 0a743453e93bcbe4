import { createHash, randomUUID } from 'node:crypto';

/** A UUID (version 8, name-based) derived from its parts: the same command always yields the same event ids. */
export function deterministicUuid(...parts: Array<string | number>): string {
  const hex = createHash('sha256')
    .update(parts.join('\u0000'))
    .digest('hex')
    .slice(0, 32)
    .split('');
  hex[12] = '8';
  hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * A UUID version 7: the time in milliseconds, then random bits. Ids made one after another land at the end of an
 * index on them instead of on a random leaf (which, after each checkpoint, costs a full-page image in the WAL).
 */
export function timeOrderedUuid(now = Date.now()): string {
  // A version 4 UUID's random bits and variant behind the time (randomUUID draws from a cache of entropy: a
  // seventh of the cost of randomBytes(16) per id); the time's digits once per millisecond.
  if (now !== prefix.at) {
    const time = now.toString(16).padStart(12, '0');
    prefix.at = now;
    prefix.text = `${time.slice(0, 8)}-${time.slice(8, 12)}-7`;
  }
  return prefix.text + randomUUID().slice(15);
}
const prefix = { at: -1, text: '' };

/**
 * The id of a command's index-th event in a stream: the same command always yields the same ids. A time-ordered
 * command id (version 7) lends the event ids its time, so they are time-ordered too.
 */
export function commandEventId(commandId: string, streamId: string, index: number): string {
  const derived = deterministicUuid(commandId, streamId, index);
  if (commandId[14] !== '7') return derived;
  return `${commandId.slice(0, 13)}${derived.slice(13)}`;
}

/**
 * The range of event ids a time-ordered command id (version 7) lends its time to (commandEventId), bounds
 * included; undefined for any other id. A command's events are found by it through the event-id index.
 */
export function eventIdRangeOf(commandId: string): { from: string; to: string } | undefined {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(commandId))
    return undefined;
  const time = commandId.slice(0, 13);
  return { from: `${time}-0000-0000-000000000000`, to: `${time}-ffff-ffff-ffffffffffff` };
}
