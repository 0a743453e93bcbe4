import { inspect } from 'node:util';
import { ConfigError, type Env, integer } from './env.js';

/** A password or token: never shown by a log line, JSON or util.inspect; `reveal()` hands it to the client. */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[secret]';
  }
  toJSON(): string {
    return '[secret]';
  }
  [inspect.custom](): string {
    return '[secret]';
  }
}

export type NatsCredentials =
  | { kind: 'none' }
  | { kind: 'user'; user: string; pass: Secret }
  | { kind: 'token'; token: Secret }
  /** A NATS .creds file (JWT and NKey seed), read when connecting. */
  | { kind: 'creds-file'; path: string };

/** Where the relay publishes: the broker, how it signs in, how long it waits for an acknowledgement. */
export interface NatsConfig {
  /** `nats://host:port` (or `tls://`), without credentials. */
  servers: readonly string[];
  credentials: NatsCredentials;
  /** A publish not acknowledged within this fails, and the relay retries its batch (NATS_PUBLISH_TIMEOUT_MS). */
  publishTimeoutMs: number;
  /** Publishes awaiting their acknowledgement at once (NATS_MAX_IN_FLIGHT). */
  maxInFlight: number;
}

/**
 * The integration events' contract (served at /asyncapi.json with or without a broker) and, when NATS_URL is set,
 * the relay that publishes them to JetStream. See docs/architecture.md#integration-events-relay-to-nats-jetstream.
 */
export interface IntegrationConfig {
  /** The JetStream stream (NATS_STREAM). */
  stream: string;
  /** First token of every subject, `<prefix>.<context>.<EventType>` (NATS_SUBJECT_PREFIX). */
  subjectPrefix: string;
  /** The stream's duplicate window: a message id seen within it is dropped (NATS_DUPLICATE_WINDOW_MS). */
  duplicateWindowMs: number;
  /** Unset without NATS_URL: no relay, and the nats client is never loaded. */
  nats?: NatsConfig;
}

const STREAM_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const SUBJECT_PREFIX = /^[A-Za-z0-9_-]{1,64}(\.[A-Za-z0-9_-]{1,64}){0,3}$/;
const URL_HELP = 'NATS_URL must be nats://host:4222 (or tls://), comma-separated for a cluster';

export function integrationConfig(env: Env): IntegrationConfig {
  const stream = (env.NATS_STREAM ?? '').trim() || 'CHRONICLE';
  if (!STREAM_NAME.test(stream))
    throw new ConfigError(
      `NATS_STREAM must be 1 to 64 letters, digits, _ or -, got "${env.NATS_STREAM}"`,
    );
  const subjectPrefix = (env.NATS_SUBJECT_PREFIX ?? '').trim() || 'chronicle';
  if (!SUBJECT_PREFIX.test(subjectPrefix))
    throw new ConfigError(
      `NATS_SUBJECT_PREFIX must be up to 4 dot-separated tokens of letters, digits, _ or - (no wildcards), got "${env.NATS_SUBJECT_PREFIX}"`,
    );
  return {
    stream,
    subjectPrefix,
    duplicateWindowMs: integer(env, 'NATS_DUPLICATE_WINDOW_MS', 120_000, 1_000, 7 * 86_400_000),
    nats: natsConfig(env),
  };
}

function natsConfig(env: Env): NatsConfig | undefined {
  const raw = (env.NATS_URL ?? '').trim();
  if (raw === '') return undefined;
  const servers: string[] = [];
  let credentials: NatsCredentials = { kind: 'none' };
  for (const item of raw.split(',').map((s) => s.trim())) {
    let url: URL;
    try {
      url = new URL(item);
    } catch {
      // The URL may hold a password: never echoed.
      throw new ConfigError(URL_HELP);
    }
    if (
      !['nats:', 'tls:'].includes(url.protocol) ||
      url.hostname === '' ||
      !['', '/'].includes(url.pathname) ||
      url.search !== '' ||
      url.hash !== ''
    )
      throw new ConfigError(URL_HELP);
    servers.push(`${url.protocol}//${url.host}${url.port ? '' : ':4222'}`);
    if (url.username && credentials.kind === 'none') {
      const user = decodeURIComponent(url.username);
      credentials = url.password
        ? { kind: 'user', user, pass: new Secret(decodeURIComponent(url.password)) }
        : { kind: 'token', token: new Secret(user) };
    }
  }
  const token = (env.NATS_TOKEN ?? '').trim();
  const credsFile = (env.NATS_CREDS ?? '').trim();
  if ([credentials.kind !== 'none', token !== '', credsFile !== ''].filter(Boolean).length > 1)
    throw new ConfigError(
      'NATS credentials: set one of a user or token in NATS_URL, NATS_TOKEN or NATS_CREDS',
    );
  if (token) credentials = { kind: 'token', token: new Secret(token) };
  if (credsFile) credentials = { kind: 'creds-file', path: credsFile };
  return {
    servers,
    credentials,
    publishTimeoutMs: integer(env, 'NATS_PUBLISH_TIMEOUT_MS', 5_000, 100, 600_000),
    maxInFlight: integer(env, 'NATS_MAX_IN_FLIGHT', 256, 1, 65_536),
  };
}
