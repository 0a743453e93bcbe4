/** The consumer's settings, read once from the environment; a bad value stops it at start, named. */
export interface LedgerConfig {
  /** NATS_URL: the server (or comma-separated servers) the relay publishes to. */
  natsUrl: string;
  /** NATS_STREAM: the JetStream stream the relay writes. */
  stream: string;
  /** LEDGER_CONSUMER: the durable consumer's name; instances sharing it share the work. */
  durable: string;
  /** LEDGER_FILTER_SUBJECT: the subjects this ledger reads. */
  filterSubject: string;
  /** LEDGER_DATABASE_URL: where the `ledger` schema lives. */
  databaseUrl: string;
  /** LEDGER_ACK_WAIT_MS: a message not acknowledged this long after its delivery is delivered again. */
  ackWaitMs: number;
  /** LEDGER_MAX_DELIVER: deliveries of one message before it is dead-lettered. */
  maxDeliver: number;
  /** Waits before each redelivery after the first delivery: ackWaitMs, doubling, at most 10 minutes. */
  backoffMs: readonly number[];
  /** LEDGER_BATCH: messages pulled ahead of the one being applied. */
  batch: number;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const MAX_BACKOFF_MS = 10 * 60_000;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = (env[name] ?? '').trim();
  if (raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max)
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return value;
}

/** JetStream names may not hold whitespace, `.`, `*`, `>` or path separators. */
function name(env: Env, variable: string, fallback: string): string {
  const raw = (env[variable] ?? '').trim() || fallback;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(raw))
    throw new ConfigError(
      `${variable} must be 1 to 64 letters, digits, '-' or '_', got "${raw.slice(0, 80)}"`,
    );
  return raw;
}

function subject(env: Env, variable: string, fallback: string): string {
  const raw = (env[variable] ?? '').trim() || fallback;
  const tokens = raw.split('.');
  const valid =
    raw.length <= 255 &&
    tokens.every(
      (t, i) => /^[A-Za-z0-9_-]+$/.test(t) || t === '*' || (t === '>' && i === tokens.length - 1),
    );
  if (!valid)
    throw new ConfigError(
      `${variable} must be a NATS subject filter such as chronicle.accounts.>, got "${raw.slice(0, 80)}"`,
    );
  return raw;
}

function databaseUrl(env: Env): string {
  const raw = (env.LEDGER_DATABASE_URL ?? '').trim();
  let protocol: string | undefined;
  try {
    protocol = new URL(raw).protocol;
  } catch {
    // refused below
  }
  // The URL may hold a password: never echoed.
  if (protocol !== 'postgres:' && protocol !== 'postgresql:')
    throw new ConfigError(
      'LEDGER_DATABASE_URL must be a URL like postgres://user:password@host:5432/database',
    );
  return raw;
}

function natsUrl(env: Env): string {
  const raw = (env.NATS_URL ?? '').trim() || 'nats://127.0.0.1:4222';
  for (const server of raw.split(',')) {
    let protocol: string | undefined;
    try {
      protocol = new URL(server.trim()).protocol;
    } catch {
      // refused below
    }
    if (!['nats:', 'tls:', 'ws:', 'wss:'].includes(protocol ?? ''))
      throw new ConfigError(
        'NATS_URL must be a URL like nats://127.0.0.1:4222 (or a comma-separated list)',
      );
  }
  return raw;
}

export function loadLedgerConfig(env: Env): LedgerConfig {
  const ackWaitMs = integer(env, 'LEDGER_ACK_WAIT_MS', 30_000, 100, MAX_BACKOFF_MS);
  const maxDeliver = integer(env, 'LEDGER_MAX_DELIVER', 10, 2, 100);
  // JetStream takes at most max_deliver - 1 waits: one before each redelivery.
  const backoffMs = Array.from({ length: maxDeliver - 1 }, (_, i) =>
    Math.min(ackWaitMs * 2 ** i, MAX_BACKOFF_MS),
  );
  return {
    natsUrl: natsUrl(env),
    stream: name(env, 'NATS_STREAM', 'CHRONICLE'),
    durable: name(env, 'LEDGER_CONSUMER', 'ledger'),
    filterSubject: subject(env, 'LEDGER_FILTER_SUBJECT', 'chronicle.accounts.>'),
    databaseUrl: databaseUrl(env),
    ackWaitMs,
    maxDeliver,
    backoffMs,
    batch: integer(env, 'LEDGER_BATCH', 100, 1, 1000),
  };
}
