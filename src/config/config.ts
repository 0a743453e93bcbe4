import { getConfigToken } from '@nestjs/config';
import { createHash, createSecretKey, type KeyObject } from 'node:crypto';
import type { Env } from './env.js';
import { keyBytes, validate } from './environment.js';
import { integrationFrom } from './integration-config.js';

export { ConfigError } from './env.js';

/** Configuration read once from the environment (Environment) and validated; what the modules inject. */
export type AppConfig = ReturnType<typeof loadConfig>;
/** Who may call: how bearer tokens are verified and where their roles are read. */
export type AuthConfig = AppConfig['auth'];
export type RateLimitConfig = AppConfig['rateLimits'];
export type DatabaseTimeouts = AppConfig['database'];
export type LiveConfig = AppConfig['live'];

export const DEVELOPMENT_ISSUER = 'chronicle-development';
export const DEVELOPMENT_AUDIENCE = 'chronicle';

/** Public, hence no protection: it only lets development and tests run without a secret. */
export function developmentMasterKey(): KeyObject {
  return createSecretKey(
    createHash('sha256').update('chronicle development master key: never for real data').digest(),
  );
}

/** The configuration the modules use, from the environment validated by Environment's one schema. */
export function loadConfig(env: Env = process.env) {
  const e = validate(env);
  const development = !e.AUTH_JWKS_URL && !e.AUTH_PUBLIC_KEY;
  const run = e.RUN_PROJECTIONS.split(',').map((name) => name.trim());
  return {
    nodeEnv: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    readDatabaseUrl: e.READ_DATABASE_URL,
    embeddedPg: { port: e.EMBEDDED_PG_PORT, dataDir: e.EMBEDDED_PG_DATA_DIR },
    dbPoolSize: e.DB_POOL_SIZE,
    database: {
      timeoutMs: e.DATABASE_TIMEOUT_MS,
      connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
      idleInTransactionTimeoutMs: e.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
      maintenanceStatementTimeoutMs: e.DATABASE_MAINTENANCE_STATEMENT_TIMEOUT_MS,
    },
    bodyLimitBytes: e.BODY_LIMIT,
    consistencyTimeoutMs: e.CONSISTENCY_TIMEOUT_MS,
    projections: {
      /** Which projections this instance may take the lease of: all, none (HTTP only; the CLIs), or these. */
      run: run[0] === 'true' ? true : run[0] === 'false' ? false : (run as readonly string[]),
      pollMs: e.PROJECTION_POLL_MS,
      batchSize: e.PROJECTION_BATCH_SIZE,
      maxBatchSize: e.PROJECTION_MAX_BATCH_SIZE,
      maxTransactionMs: e.PROJECTION_MAX_TRANSACTION_MS,
      wakeIntervalMs: e.PROJECTION_WAKE_INTERVAL_MS,
      retryAttempts: e.PROJECTION_RETRY_ATTEMPTS,
      retryBaseMs: e.PROJECTION_RETRY_BASE_MS,
      leaseRetryMs: e.PROJECTION_LEASE_RETRY_MS,
      /** A read model with insert-only tables that has never run catches up as a rebuild over a log this long; 0: never. */
      firstCatchUpAsRebuildFrom: e.PROJECTION_FIRST_CATCH_UP_AS_REBUILD_FROM,
      readyMaxLagMs: e.READINESS_MAX_LAG_MS,
    },
    idempotencyTtlHours: e.IDEMPOTENCY_TTL_HOURS,
    idempotencyPurgeIntervalMs: e.IDEMPOTENCY_PURGE_INTERVAL_MS,
    snapshotEvery: e.SNAPSHOT_EVERY,
    aggregateCache: { size: e.AGGREGATE_CACHE_SIZE, ttlMs: e.AGGREGATE_CACHE_TTL_MS },
    rateLimits: {
      perPrincipal: e.RATE_LIMIT_PER_MINUTE,
      perIp: e.RATE_LIMIT_IP_PER_MINUTE,
      expensive: e.RATE_LIMIT_EXPENSIVE_PER_MINUTE,
      redisUrl: e.REDIS_URL,
      keyPrefix: e.RATE_LIMIT_KEY_PREFIX,
    },
    trustProxyHops: e.TRUST_PROXY_HOPS,
    checkout: { paymentTimeoutMs: e.CHECKOUT_PAYMENT_TIMEOUT_MS },
    integration: integrationFrom(e),
    live: {
      heartbeatMs: e.LIVE_HEARTBEAT_MS,
      bufferEvents: e.LIVE_BUFFER_EVENTS,
      bufferBytes: e.LIVE_BUFFER_BYTES,
      maxPerPrincipal: e.LIVE_MAX_PER_PRINCIPAL,
      maxConnections: e.LIVE_MAX_CONNECTIONS,
    },
    /** Wraps the keys of personal data; a KeyObject never shows the key. `previous`: keys that only unwrap. */
    masterKey: {
      key: e.CHRONICLE_MASTER_KEY
        ? createSecretKey(keyBytes(e.CHRONICLE_MASTER_KEY))
        : developmentMasterKey(),
      development: !e.CHRONICLE_MASTER_KEY,
      previous: e.CHRONICLE_PREVIOUS_MASTER_KEYS.map((key) => createSecretKey(keyBytes(key))),
    },
    auth: {
      /** The identity provider's JWKS or public key, else (outside production) the development issuer's key pair. */
      keys: e.AUTH_JWKS_URL
        ? { kind: 'jwks' as const, url: new URL(e.AUTH_JWKS_URL).href }
        : e.AUTH_PUBLIC_KEY
          ? { kind: 'public-key' as const, pem: e.AUTH_PUBLIC_KEY }
          : { kind: 'development' as const, dir: e.AUTH_DEV_ISSUER_DIR },
      issuer: e.AUTH_ISSUER ?? (development ? DEVELOPMENT_ISSUER : undefined),
      audience: e.AUTH_AUDIENCE ?? (development ? DEVELOPMENT_AUDIENCE : undefined),
      rolesClaim: e.AUTH_ROLES_CLAIM,
      clockSkewSeconds: e.AUTH_CLOCK_SKEW_SECONDS,
      jwksCooldownSeconds: e.AUTH_JWKS_COOLDOWN_SECONDS,
      jwksMaxAgeSeconds: e.AUTH_JWKS_MAX_AGE_SECONDS,
    },
    logLevel: e.LOG_LEVEL,
  };
}

export const CONFIG_NAMESPACE = 'chronicle';
/** AppConfig's injection token: ConfigModule's for the namespace AppModule registers it under. */
export const APP_CONFIG = getConfigToken(CONFIG_NAMESPACE);
