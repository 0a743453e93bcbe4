import { inspect } from 'node:util';
import type { Env } from './env.js';
import { type Environment, validate } from './environment.js';

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

/** The integration events' contract (served at /asyncapi.json) and, with NATS_URL, the relay to JetStream. */
export type IntegrationConfig = ReturnType<typeof integrationFrom>;
/** Where the relay publishes: servers without credentials, how it signs in, how long it waits for an ack. */
export type NatsConfig = NonNullable<IntegrationConfig['nats']>;

/** NATS_* alone, validated (the relay's suites and benches). */
export const integrationConfig = (env: Env) => integrationFrom(validate(env));

/** The relay's settings from the validated environment; NATS_URL's user and password or token become credentials. */
export function integrationFrom(e: Environment) {
  const urls = (e.NATS_URL ?? []).map((item) => new URL(item));
  const inUrl = urls.find((url) => url.username);
  const user = inUrl && decodeURIComponent(inUrl.username);
  const credentials: NatsCredentials = e.NATS_CREDS
    ? { kind: 'creds-file', path: e.NATS_CREDS }
    : e.NATS_TOKEN
      ? { kind: 'token', token: new Secret(e.NATS_TOKEN) }
      : !user
        ? { kind: 'none' }
        : inUrl.password
          ? { kind: 'user', user, pass: new Secret(decodeURIComponent(inUrl.password)) }
          : { kind: 'token', token: new Secret(user) };
  return {
    stream: e.NATS_STREAM,
    subjectPrefix: e.NATS_SUBJECT_PREFIX,
    duplicateWindowMs: e.NATS_DUPLICATE_WINDOW_MS,
    nats: e.NATS_URL && {
      servers: urls.map((url) => `${url.protocol}//${url.host}${url.port ? '' : ':4222'}`),
      credentials,
      publishTimeoutMs: e.NATS_PUBLISH_TIMEOUT_MS,
      maxInFlight: e.NATS_MAX_IN_FLIGHT,
    },
  };
}
