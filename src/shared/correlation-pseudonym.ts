import { createHmac, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';

/**
 * A correlation id is free text (an e-mail, say) and what leaves the store outlives an erasure: a UUID is used as
 * it is, any other as a stable HMAC under a key derived from the master key, formatted as a UUID (version 8).
 */
export function correlationPseudonym(masterKey: KeyObject): (correlationId: string) => string {
  const key = createSecretKey(
    Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'chronicle/correlation-id', 32)),
  );
  return (correlationId) => {
    const bytes = createHmac('sha256', key).update(correlationId).digest().subarray(0, 16);
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
}
