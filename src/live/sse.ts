import type { Pending } from './live-buffer.js';

/**
 * Server-Sent Events framing (WHATWG HTML, "Server-sent events"). Fields are single lines: ids are digits, event
 * names are registered type names, and `data` is JSON, which escapes every line break it holds.
 */
export function sseMessage(id: string, event: string, data: string): Pending {
  const text = `id: ${id}\nevent: ${event}\ndata: ${data}\n\n`;
  return { text, bytes: Buffer.byteLength(text), id };
}

/** The last message of a connection whose token expired: the client reconnects with a fresh one and its last id. */
export function sseTokenExpired(lastEventId: string | null): string {
  const data = {
    type: '/problems/token-expired',
    title: 'Token expired',
    detail:
      'The bearer token this subscription was opened with has expired. Reconnect with a fresh token and ' +
      'Last-Event-ID to resume after the last event received.',
    lastEventId,
  };
  return `event: token-expired\ndata: ${JSON.stringify(data)}\n\n`;
}

export const SSE_HEARTBEAT = ': heartbeat\n\n';

/** The last message of a connection closed because its client fell behind: no `id`, so the client's last id stands. */
export function sseOverflow(detail: {
  lastEventId: string | null;
  limits: { events: number; bytes: number };
}): string {
  const data = {
    type: '/problems/live-overflow',
    title: 'Live overflow',
    detail:
      `The client read more slowly than events committed: more than ${detail.limits.events} messages or ` +
      `${detail.limits.bytes} bytes waited for it. Reconnect with Last-Event-ID to resume after the last event received.`,
    lastEventId: detail.lastEventId,
  };
  return `event: overflow\ndata: ${JSON.stringify(data)}\n\n`;
}
