import { type Env, integer } from './env.js';

/** Live subscriptions over HTTP (Server-Sent Events). See docs/architecture.md#live-subscriptions-server-sent-events. */
export interface LiveConfig {
  /** A `: heartbeat` comment after this long without a message (LIVE_HEARTBEAT_MS). */
  heartbeatMs: number;
  /**
   * Messages (LIVE_BUFFER_EVENTS) and bytes (LIVE_BUFFER_BYTES) a connection may hold for a client that reads more
   * slowly than events commit; past either, it is told `overflow` and closed, and resumes with its last id.
   */
  bufferEvents: number;
  bufferBytes: number;
  /** Open subscriptions of one principal in this process (LIVE_MAX_PER_PRINCIPAL); one more answers 429. */
  maxPerPrincipal: number;
  /** Open subscriptions in this process, all principals together (LIVE_MAX_CONNECTIONS); one more answers 503. */
  maxConnections: number;
}

export function liveConfig(env: Env): LiveConfig {
  return {
    heartbeatMs: integer(env, 'LIVE_HEARTBEAT_MS', 15_000, 100, 3_600_000),
    bufferEvents: integer(env, 'LIVE_BUFFER_EVENTS', 1_000, 1, 1_000_000),
    bufferBytes: integer(env, 'LIVE_BUFFER_BYTES', 1024 * 1024, 1024, 256 * 1024 * 1024),
    maxPerPrincipal: integer(env, 'LIVE_MAX_PER_PRINCIPAL', 10, 1, 100_000),
    maxConnections: integer(env, 'LIVE_MAX_CONNECTIONS', 5_000, 1, 1_000_000),
  };
}
