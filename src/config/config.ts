import { createHash, createSecretKey, type KeyObject } from 'node:crypto';
import { ConfigError, type Env, integer } from './env.js';
import { integrationConfig, type IntegrationConfig } from './integration-config.js';
import { liveConfig, type LiveConfig } from './live-config.js';

export { ConfigError } from './env.js';

/** Configuration read once from the environment and validated; a bad value stops start-up naming it. */
export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  host: string;
  port: number;
  /** Unset: an embedded PostgreSQL is started under `embeddedPg.dataDir`. */
  databaseUrl?: string;
  /** A streaming replica of databaseUrl that the read-model queries use; unset: they read the primary. */
  readDatabaseUrl?: string;
  embeddedPg: { port: number; dataDir: string };
  dbPoolSize: number;
  /** Timeouts of every database session, and the bound on a request's wait for the database. */
  database: DatabaseTimeouts;
  bodyLimitBytes: number;
  consistencyTimeoutMs: number;
  projections: {
    /**
     * Which projections this instance may run (take the lease of): all, none (it serves HTTP only; also the
     * CLI), or the names listed.
     */
    run: boolean | readonly string[];
    pollMs: number;
    batchSize: number;
    maxBatchSize: number;
    maxTransactionMs: number;
    retryAttempts: number;
    retryBaseMs: number;
    leaseRetryMs: number;
    /** /health/ready answers 503 while a projection this instance runs lags more (READINESS_MAX_LAG_MS). */
    readyMaxLagMs: number;
  };
  idempotencyTtlHours: number;
  /** How often keys older than their TTL are deleted, in batches; 0: never (IDEMPOTENCY_PURGE_INTERVAL_MS). */
  idempotencyPurgeIntervalMs: number;
  /** An aggregate is snapshotted every this many events (unless its definition says otherwise); 0: never. */
  snapshotEvery: number;
  /** Accounts kept in memory between commands (AGGREGATE_CACHE_SIZE, AGGREGATE_CACHE_TTL_MS). */
  aggregateCache: { size: number; ttlMs: number };
  /** Who may call: how bearer tokens are verified and where their roles are read. */
  auth: AuthConfig;
  rateLimits: RateLimitConfig;
  /** Proxies in front of the app whose X-Forwarded-For is believed (TRUST_PROXY_HOPS): what the per-IP limit counts. */
  trustProxyHops: number;
  /** How long the checkout saga waits for the payment's answer before it cancels the order. */
  checkout: { paymentTimeoutMs: number };
  /** The integration events' contract and their relay to NATS JetStream (NATS_*). */
  integration: IntegrationConfig;
  /** Live subscriptions over HTTP (LIVE_*). */
  live: LiveConfig;
  /**
   * Wraps the per-subject keys of personal data (CHRONICLE_MASTER_KEY). A KeyObject: logging it never shows the
   * key. `development`: the built-in key used when none is set outside production, which protects nothing.
   * `previous`: keys that only unwrap, during and after a rotation (CHRONICLE_PREVIOUS_MASTER_KEYS).
   */
  masterKey: { key: KeyObject; development: boolean; previous: readonly KeyObject[] };
  logLevel: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
}

export interface AuthConfig {
  /**
   * Where the verification keys come from: a JWKS URL (AUTH_JWKS_URL), a PEM public key (AUTH_PUBLIC_KEY), or,
   * outside production when neither is set, the local development issuer whose key pair is kept in `dir`.
   */
  keys:
    | { kind: 'jwks'; url: string }
    | { kind: 'public-key'; pem: string }
    | { kind: 'development'; dir: string };
  /** Required `iss` (AUTH_ISSUER) and `aud` (AUTH_AUDIENCE); both are required in production. */
  issuer?: string;
  audience?: string;
  /** Where the token's roles are: a claim name or a dotted path, e.g. realm_access.roles (AUTH_ROLES_CLAIM). */
  rolesClaim: string;
  /** Tolerance on exp and nbf, for clocks that differ a little (AUTH_CLOCK_SKEW_SECONDS). */
  clockSkewSeconds: number;
  /**
   * The JWKS is refetched when a token names a key it lacks (a rotation at the provider), at most once per this
   * many seconds (AUTH_JWKS_COOLDOWN_SECONDS), and at the latest after AUTH_JWKS_MAX_AGE_SECONDS.
   */
  jwksCooldownSeconds: number;
  jwksMaxAgeSeconds: number;
}

/** Requests a minute (RATE_LIMIT_*; 0: no limit), counted in Redis when REDIS_URL is set, else in this process. */
export interface RateLimitConfig {
  perPrincipal: number;
  perIp: number;
  /** Requests a minute per principal to the routes EXPENSIVE_ROUTES names, all of them together. */
  expensive: number;
  redisUrl?: string;
  /** Before every key (RATE_LIMIT_KEY_PREFIX): deployments sharing one Redis keep their counts apart. */
  keyPrefix: string;
}

export interface DatabaseTimeouts {
  /** Longest a request waits for the database in all (DATABASE_TIMEOUT_MS); then 503 database-unavailable. */
  timeoutMs: number;
  /** Connecting, and waiting for a pooled connection (DATABASE_CONNECT_TIMEOUT_MS). */
  connectTimeoutMs: number;
  /** The server cancels a statement running longer (DATABASE_STATEMENT_TIMEOUT_MS); 0: never. */
  statementTimeoutMs: number;
  /** The server ends a session idle this long inside a transaction (DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS); 0: never. */
  idleInTransactionTimeoutMs: number;
  /** Statement timeout of migrations and the operator's CLI (DATABASE_MAINTENANCE_STATEMENT_TIMEOUT_MS); 0: none. */
  maintenanceStatementTimeoutMs: number;
}

function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!allowed.includes(raw as T))
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

function databaseUrl(env: Env, name = 'DATABASE_URL'): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a URL like postgres://user:password@host:5432/database`);
  }
  if (!['postgres:', 'postgresql:'].includes(url.protocol)) {
    throw new ConfigError(`${name} must use the postgres:// scheme, got "${url.protocol}"`);
  }
  return raw;
}

function bytes(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const match = /^(\d+)\s*(b|kb|mb)?$/i.exec(raw.trim());
  const value = match
    ? Number(match[1]) * { b: 1, kb: 1024, mb: 1024 * 1024 }[(match[2] ?? 'b').toLowerCase() as 'b']
    : NaN;
  if (!match || value < 1024 || value > 16 * 1024 * 1024) {
    throw new ConfigError(`${name} must be a size from 1kb to 16mb (e.g. 100kb), got "${raw}"`);
  }
  return value;
}

function redisUrl(env: Env): string | undefined {
  const raw = (env.REDIS_URL ?? '').trim();
  if (raw === '') return undefined;
  let protocol: string | undefined;
  try {
    protocol = new URL(raw).protocol;
  } catch {
    // refused below
  }
  // The URL may hold a password: never echoed.
  if (protocol !== 'redis:' && protocol !== 'rediss:')
    throw new ConfigError('REDIS_URL must be a URL like redis://host:6379 or rediss://host:6380');
  return raw;
}

function rateLimits(env: Env): RateLimitConfig {
  const perMinute = (name: string, fallback: number) => integer(env, name, fallback, 0, 10_000_000);
  const keyPrefix = env.RATE_LIMIT_KEY_PREFIX ?? 'chronicle:rate-limit:';
  if (!/^[\x21-\x7e]{0,100}$/.test(keyPrefix))
    throw new ConfigError(
      `RATE_LIMIT_KEY_PREFIX must be up to 100 printable ASCII characters, got "${keyPrefix}"`,
    );
  return {
    perPrincipal: perMinute('RATE_LIMIT_PER_MINUTE', 600),
    perIp: perMinute('RATE_LIMIT_IP_PER_MINUTE', 1200),
    expensive: perMinute('RATE_LIMIT_EXPENSIVE_PER_MINUTE', 30),
    redisUrl: redisUrl(env),
    keyPrefix,
  };
}

function projectionsToRun(env: Env): boolean | string[] {
  const raw = (env.RUN_PROJECTIONS ?? '').trim();
  if (raw === '' || raw === 'true') return true;
  if (raw === 'false') return false;
  const names = raw.split(',').map((name) => name.trim());
  if (names.some((name) => !/^[a-z0-9][a-z0-9-]*$/.test(name))) {
    throw new ConfigError(
      `RUN_PROJECTIONS must be true, false or a comma-separated list of projection names, got "${raw}"`,
    );
  }
  return names;
}

export const DEVELOPMENT_ISSUER = 'chronicle-development';
export const DEVELOPMENT_AUDIENCE = 'chronicle';

function auth(env: Env, nodeEnv: AppConfig['nodeEnv']): AuthConfig {
  const jwksUrl = (env.AUTH_JWKS_URL ?? '').trim();
  const pem = (env.AUTH_PUBLIC_KEY ?? '').trim().replace(/\\n/g, '\n');
  if (jwksUrl && pem) throw new ConfigError('Set AUTH_JWKS_URL or AUTH_PUBLIC_KEY, not both');
  let keys: AuthConfig['keys'];
  if (jwksUrl) {
    let url: URL;
    try {
      url = new URL(jwksUrl);
    } catch {
      throw new ConfigError(`AUTH_JWKS_URL must be a URL, got "${jwksUrl}"`);
    }
    if (url.protocol !== 'https:' && !(nodeEnv !== 'production' && url.protocol === 'http:'))
      throw new ConfigError('AUTH_JWKS_URL must be an https:// URL');
    keys = { kind: 'jwks', url: url.href };
  } else if (pem) {
    if (!/^-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----$/.test(pem))
      throw new ConfigError(
        'AUTH_PUBLIC_KEY must be a PEM public key (-----BEGIN PUBLIC KEY-----)',
      );
    keys = { kind: 'public-key', pem };
  } else if (nodeEnv === 'production') {
    throw new ConfigError(
      'AUTH_JWKS_URL (or AUTH_PUBLIC_KEY) is required in production: the development issuer signs anyone in',
    );
  } else {
    keys = { kind: 'development', dir: env.AUTH_DEV_ISSUER_DIR || '.data/dev-issuer' };
  }
  const development = keys.kind === 'development';
  const issuer = (env.AUTH_ISSUER ?? '').trim() || (development ? DEVELOPMENT_ISSUER : undefined);
  const audience =
    (env.AUTH_AUDIENCE ?? '').trim() || (development ? DEVELOPMENT_AUDIENCE : undefined);
  if (!issuer || !audience)
    throw new ConfigError(
      'AUTH_ISSUER and AUTH_AUDIENCE are required with AUTH_JWKS_URL or AUTH_PUBLIC_KEY: a token for another service must not pass',
    );
  const rolesClaim = (env.AUTH_ROLES_CLAIM ?? '').trim() || 'roles';
  if (!/^[A-Za-z0-9_:/.-]{1,200}$/.test(rolesClaim))
    throw new ConfigError(
      `AUTH_ROLES_CLAIM must be a claim name or dotted path, got "${rolesClaim}"`,
    );
  return {
    keys,
    issuer,
    audience,
    rolesClaim,
    clockSkewSeconds: integer(env, 'AUTH_CLOCK_SKEW_SECONDS', 30, 0, 300),
    jwksCooldownSeconds: integer(env, 'AUTH_JWKS_COOLDOWN_SECONDS', 30, 0, 3600),
    jwksMaxAgeSeconds: integer(env, 'AUTH_JWKS_MAX_AGE_SECONDS', 600, 1, 86_400),
  };
}

/** Public, hence no protection: it only lets development and tests run without a secret. */
export function developmentMasterKey(): KeyObject {
  return createSecretKey(
    createHash('sha256').update('chronicle development master key: never for real data').digest(),
  );
}

function masterKey(env: Env, nodeEnv: AppConfig['nodeEnv']): AppConfig['masterKey'] {
  const raw = (env.CHRONICLE_MASTER_KEY ?? '').trim();
  const previous = (env.CHRONICLE_PREVIOUS_MASTER_KEYS ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item, i) => secretKey(item, `CHRONICLE_PREVIOUS_MASTER_KEYS (key ${i + 1})`, nodeEnv));
  if (raw === '') {
    if (nodeEnv === 'production')
      throw new ConfigError(
        'CHRONICLE_MASTER_KEY is required in production: 32 random bytes as base64 (openssl rand -base64 32)',
      );
    return { key: developmentMasterKey(), development: true, previous };
  }
  return { key: secretKey(raw, 'CHRONICLE_MASTER_KEY', nodeEnv), development: false, previous };
}

/** 32 bytes as 64 hex digits or base64. The value is never echoed in an error: it is a secret. */
function secretKey(raw: string, name: string, nodeEnv: AppConfig['nodeEnv']): KeyObject {
  const bytes = /^[0-9a-f]{64}$/i.test(raw)
    ? Buffer.from(raw, 'hex')
    : /^[A-Za-z0-9+/]{43}=$/.test(raw)
      ? Buffer.from(raw, 'base64')
      : undefined;
  if (bytes?.length !== 32)
    throw new ConfigError(
      `${name} must be 32 bytes as 64 hex digits or base64 (openssl rand -base64 32)`,
    );
  if (nodeEnv === 'production' && lowEntropy(bytes))
    throw new ConfigError(
      `${name} is not random (too few distinct bytes, a repeated pattern or a sequence): ` +
        'generate one with openssl rand -base64 32',
    );
  return createSecretKey(bytes);
}

/**
 * A key typed or patterned by hand: fewer than 20 distinct bytes, or fewer than 20 distinct steps from one byte
 * to the next (a sequence, a short pattern repeated). 32 random bytes hold ~30 of each: never fewer than 22 in a
 * million draws.
 */
export function lowEntropy(key: Buffer): boolean {
  const steps = key.subarray(1).map((byte, i) => (byte - key[i] + 256) % 256);
  return new Set(key).size < 20 || new Set(steps).size < 20;
}

export function loadConfig(env: Env = process.env): AppConfig {
  const nodeEnv = oneOf(env, 'NODE_ENV', 'development', ['development', 'production', 'test']);
  return {
    nodeEnv,
    host: env.HOST || '0.0.0.0',
    port: integer(env, 'PORT', 3000, 0, 65535),
    databaseUrl: databaseUrl(env),
    readDatabaseUrl: databaseUrl(env, 'READ_DATABASE_URL'),
    embeddedPg: {
      port: integer(env, 'EMBEDDED_PG_PORT', 54329, 1024, 65535),
      dataDir: env.EMBEDDED_PG_DATA_DIR || '.data/postgres',
    },
    dbPoolSize: integer(env, 'DB_POOL_SIZE', 20, 1, 500),
    database: {
      timeoutMs: integer(env, 'DATABASE_TIMEOUT_MS', 5_000, 100, 600_000),
      connectTimeoutMs: integer(env, 'DATABASE_CONNECT_TIMEOUT_MS', 5_000, 100, 600_000),
      statementTimeoutMs: integer(env, 'DATABASE_STATEMENT_TIMEOUT_MS', 30_000, 0, 86_400_000),
      idleInTransactionTimeoutMs: integer(
        env,
        'DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS',
        60_000,
        0,
        86_400_000,
      ),
      maintenanceStatementTimeoutMs: integer(
        env,
        'DATABASE_MAINTENANCE_STATEMENT_TIMEOUT_MS',
        0,
        0,
        86_400_000,
      ),
    },
    bodyLimitBytes: bytes(env, 'BODY_LIMIT', 100 * 1024),
    consistencyTimeoutMs: integer(env, 'CONSISTENCY_TIMEOUT_MS', 5000, 0, 60000),
    projections: {
      run: projectionsToRun(env),
      pollMs: integer(env, 'PROJECTION_POLL_MS', 1000, 10, 60000),
      batchSize: integer(env, 'PROJECTION_BATCH_SIZE', 1000, 1, 100000),
      maxBatchSize: integer(env, 'PROJECTION_MAX_BATCH_SIZE', 5000, 1, 1000000),
      maxTransactionMs: integer(env, 'PROJECTION_MAX_TRANSACTION_MS', 1000, 0, 60000),
      retryAttempts: integer(env, 'PROJECTION_RETRY_ATTEMPTS', 5, 1, 100),
      retryBaseMs: integer(env, 'PROJECTION_RETRY_BASE_MS', 200, 1, 60000),
      leaseRetryMs: integer(env, 'PROJECTION_LEASE_RETRY_MS', 1000, 50, 60000),
      readyMaxLagMs: integer(env, 'READINESS_MAX_LAG_MS', 30_000, 1, 86_400_000),
    },
    idempotencyTtlHours: integer(env, 'IDEMPOTENCY_TTL_HOURS', 24, 1, 24 * 365),
    idempotencyPurgeIntervalMs: integer(
      env,
      'IDEMPOTENCY_PURGE_INTERVAL_MS',
      60_000,
      0,
      86_400_000,
    ),
    snapshotEvery: integer(env, 'SNAPSHOT_EVERY', 100, 0, 1_000_000),
    aggregateCache: {
      size: integer(env, 'AGGREGATE_CACHE_SIZE', 10_000, 0, 10_000_000),
      ttlMs: integer(env, 'AGGREGATE_CACHE_TTL_MS', 5_000, 0, 3_600_000),
    },
    rateLimits: rateLimits(env),
    trustProxyHops: integer(env, 'TRUST_PROXY_HOPS', 0, 0, 10),
    checkout: {
      paymentTimeoutMs: integer(env, 'CHECKOUT_PAYMENT_TIMEOUT_MS', 30_000, 100, 86_400_000),
    },
    integration: integrationConfig(env),
    live: liveConfig(env),
    masterKey: masterKey(env, nodeEnv),
    auth: auth(env, nodeEnv),
    logLevel: oneOf(env, 'LOG_LEVEL', 'log', ['error', 'warn', 'log', 'debug', 'verbose']),
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
