import { createHash } from 'node:crypto';

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
