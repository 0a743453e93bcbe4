import { createHash, randomBytes } from 'node:crypto';

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
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | (bytes[6] & 0x0f);
  bytes[8] = 0x80 | (bytes[8] & 0x3f);
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * The id of a command's index-th event in a stream: the same command always yields the same ids. A time-ordered
 * command id (version 7) lends the event ids its time, so they are time-ordered too.
 */
export function commandEventId(commandId: string, streamId: string, index: number): string {
  const derived = deterministicUuid(commandId, streamId, index);
  if (commandId[14] !== '7') return derived;
  return `${commandId.slice(0, 13)}${derived.slice(13)}`;
}
