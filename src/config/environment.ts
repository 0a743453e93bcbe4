import { applyDecorators } from '@nestjs/common';
import { plainToInstance, Transform } from 'class-transformer';
import {
  getMetadataStorage,
  IsDefined,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateBy,
  validateSync,
  type ValidationOptions,
} from 'class-validator';
import { ConfigError, type Env } from './env.js';

// A message names its variable first (added by `validate`); "$raw" is the value as set, left out for secrets.
const GOT = ', got "$raw"';
const production = (e: Environment) => e.NODE_ENV === 'production';

function Integer(min: number, max: number): PropertyDecorator {
  const message = `must be an integer from ${min} to ${max}${GOT}`;
  return applyDecorators(
    Transform(({ value }) => (/^-?\d+$/.test(value) ? Number(value) : NaN)),
    IsInt({ message }),
    Min(min, { message }),
    Max(max, { message }),
  );
}

function OneOf(values: readonly string[]): PropertyDecorator {
  return IsIn(values, { message: `must be one of ${values.join(', ')}${GOT}` });
}

/** `what` the pattern asks for, with the value as set. */
function Pattern(pattern: RegExp, what: string): PropertyDecorator {
  return Matches(pattern, { message: `${what}${GOT}` });
}

const SIZE = /^(\d+)\s*(b|kb|mb)?$/i;
const UNITS = { b: 1, kb: 1024, mb: 1024 * 1024 } as const;

/** A size with a unit (100kb, 1mb), in bytes. */
function Size(min: number, max: number, what: string): PropertyDecorator {
  const message = `must be a size ${what}${GOT}`;
  return applyDecorators(
    Transform(({ value }) => {
      const [, digits, unit = 'b'] = SIZE.exec(value) ?? [];
      return digits ? Number(digits) * UNITS[unit.toLowerCase() as keyof typeof UNITS] : NaN;
    }),
    Min(min, { message }),
    Max(max, { message }),
  );
}

/** A check of its own: `test` sees the value and the other variables. */
function Rule<T = string>(
  name: string,
  test: (value: T, environment: Environment) => boolean,
  options: ValidationOptions,
): PropertyDecorator {
  return ValidateBy(
    {
      name,
      validator: { validate: (value, args) => test(value as T, args!.object as Environment) },
    },
    options,
  );
}

/** `new URL` decides, as the clients do (class-validator's IsUrl refuses host names like db_1 or a path-only host). */
function url(value: string, protocols: readonly string[]): URL | undefined {
  try {
    const parsed = new URL(value);
    return protocols.includes(parsed.protocol) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** An optional URL with one of `protocols`; may hold a password: never echoed. */
function Url(name: string, protocols: readonly string[], example: string): PropertyDecorator {
  return applyDecorators(
    IsOptional(),
    Rule(name, (value) => !!url(value, protocols), { message: `must be a URL like ${example}` }),
  );
}
const PostgresUrl = () =>
  Url('postgresUrl', ['postgres:', 'postgresql:'], 'postgres://user:password@host:5432/database');
const whenSet = (_: unknown, value: unknown) => value !== undefined;
const natsUser = (e: Environment) =>
  e.NATS_URL?.some((item) => url(item, ['nats:', 'tls:'])?.username);
const OneNatsCredential = applyDecorators(
  IsOptional(),
  Rule(
    'oneCredential',
    (_, e) => [e.NATS_TOKEN, e.NATS_CREDS, natsUser(e)].filter(Boolean).length < 2,
    {
      message: 'is a credential: set one of a user or token in NATS_URL, NATS_TOKEN or NATS_CREDS',
    },
  ),
);
const RequiredWithIdentityProvider = IsDefined({
  validateIf: (e) => !!(e.AUTH_JWKS_URL || e.AUTH_PUBLIC_KEY),
  message:
    'is required with AUTH_JWKS_URL or AUTH_PUBLIC_KEY: a token for another service must not pass',
});
const list = ({ value }: { value: string }) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
const MASTER_KEY = /^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/;
const KEY_FORMAT = 'must be 32 bytes as 64 hex digits or base64 (openssl rand -base64 32)';
const PEM = /^-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----$/;

/**
 * Every environment variable Chronicle reads: its type, range and default (README, "Configuration", lists the same
 * ones). Validated once at start; `loadConfig` turns it into the AppConfig the modules use.
 */
export class Environment {
  @OneOf(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';
  @IsString() HOST = '0.0.0.0';
  @Integer(0, 65535) PORT = 3000;

  @PostgresUrl() DATABASE_URL?: string;
  @PostgresUrl() READ_DATABASE_URL?: string;
  @Integer(1024, 65535) EMBEDDED_PG_PORT = 54329;
  @IsString() EMBEDDED_PG_DATA_DIR = '.data/postgres';
  @Integer(1, 500) DB_POOL_SIZE = 20;
  @Integer(100, 600_000) DATABASE_TIMEOUT_MS = 5_000;
  @Integer(100, 600_000) DATABASE_CONNECT_TIMEOUT_MS = 5_000;
  @Integer(0, 86_400_000) DATABASE_STATEMENT_TIMEOUT_MS = 30_000;
  @Integer(0, 86_400_000) DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;
  @Integer(0, 86_400_000) DATABASE_MAINTENANCE_STATEMENT_TIMEOUT_MS = 0;

  @Size(1024, 16 * 1024 * 1024, 'from 1kb to 16mb (e.g. 100kb)') BODY_LIMIT = 100 * 1024;
  @Integer(0, 60_000) CONSISTENCY_TIMEOUT_MS = 5_000;

  @Pattern(
    /^(true|false|[a-z0-9][a-z0-9-]*(\s*,\s*[a-z0-9][a-z0-9-]*)*)$/,
    'must be true, false or a comma-separated list of projection names',
  )
  RUN_PROJECTIONS = 'true';
  @Integer(10, 60_000) PROJECTION_POLL_MS = 1_000;
  @Integer(1, 100_000) PROJECTION_BATCH_SIZE = 1_000;
  @Integer(1, 1_000_000) PROJECTION_MAX_BATCH_SIZE = 5_000;
  @Integer(0, 60_000) PROJECTION_MAX_TRANSACTION_MS = 1_000;
  @Integer(0, 1_000) PROJECTION_WAKE_INTERVAL_MS = 20;
  @Integer(1, 100) PROJECTION_RETRY_ATTEMPTS = 5;
  @Integer(1, 60_000) PROJECTION_RETRY_BASE_MS = 200;
  @Integer(50, 60_000) PROJECTION_LEASE_RETRY_MS = 1_000;
  @Integer(0, 1_000_000_000) PROJECTION_FIRST_CATCH_UP_AS_REBUILD_FROM = 100_000;
  @Integer(1, 86_400_000) READINESS_MAX_LAG_MS = 30_000;

  @Integer(1, 24 * 365) IDEMPOTENCY_TTL_HOURS = 24;
  @Integer(0, 86_400_000) IDEMPOTENCY_PURGE_INTERVAL_MS = 60_000;
  @Integer(0, 1_000_000) SNAPSHOT_EVERY = 100;
  @Integer(0, 10_000_000) AGGREGATE_CACHE_SIZE = 10_000;
  @Integer(0, 3_600_000) AGGREGATE_CACHE_TTL_MS = 5_000;
  @Integer(100, 86_400_000) CHECKOUT_PAYMENT_TIMEOUT_MS = 30_000;

  @Integer(0, 10_000_000) RATE_LIMIT_PER_MINUTE = 600;
  @Integer(0, 10_000_000) RATE_LIMIT_IP_PER_MINUTE = 1_200;
  @Integer(0, 10_000_000) RATE_LIMIT_EXPENSIVE_PER_MINUTE = 30;
  @Url('redisUrl', ['redis:', 'rediss:'], 'redis://host:6379 or rediss://host:6380')
  REDIS_URL?: string;
  @Pattern(/^[\x21-\x7e]{0,100}$/, 'must be up to 100 printable ASCII characters')
  RATE_LIMIT_KEY_PREFIX = 'chronicle:rate-limit:';
  @Integer(0, 10) TRUST_PROXY_HOPS = 0;

  @Transform(list)
  @IsOptional()
  @Rule(
    'natsUrl',
    (items: string[]) =>
      items.every((item) => {
        const parsed = url(item, ['nats:', 'tls:']);
        return (
          parsed?.hostname && ['', '/'].includes(parsed.pathname) && !parsed.search && !parsed.hash
        );
      }),
    { message: 'must be nats://host:4222 (or tls://), comma-separated for a cluster' },
  )
  NATS_URL?: string[];
  @OneNatsCredential NATS_TOKEN?: string;
  @OneNatsCredential NATS_CREDS?: string;
  @Pattern(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1 to 64 letters, digits, _ or -')
  NATS_STREAM = 'CHRONICLE';
  @Pattern(
    /^[A-Za-z0-9_-]{1,64}(\.[A-Za-z0-9_-]{1,64}){0,3}$/,
    'must be up to 4 dot-separated tokens of letters, digits, _ or - (no wildcards)',
  )
  NATS_SUBJECT_PREFIX = 'chronicle';
  @Integer(1_000, 7 * 86_400_000) NATS_DUPLICATE_WINDOW_MS = 120_000;
  @Integer(100, 600_000) NATS_PUBLISH_TIMEOUT_MS = 5_000;
  @Integer(1, 65_536) NATS_MAX_IN_FLIGHT = 256;

  @Integer(100, 3_600_000) LIVE_HEARTBEAT_MS = 15_000;
  @Integer(1, 1_000_000) LIVE_BUFFER_EVENTS = 1_000;
  @Integer(1024, 256 * 1024 * 1024) LIVE_BUFFER_BYTES = 1024 * 1024;
  @Integer(1, 100_000) LIVE_MAX_PER_PRINCIPAL = 10;
  @Integer(1, 1_000_000) LIVE_MAX_CONNECTIONS = 5_000;

  @IsDefined({
    validateIf: production,
    message: 'is required in production: 32 random bytes as base64 (openssl rand -base64 32)',
  })
  @Matches(MASTER_KEY, { validateIf: whenSet, message: KEY_FORMAT })
  @Rule('random', (value, e) => !production(e) || !lowEntropy(keyBytes(value)), {
    validateIf: (_, value) => MASTER_KEY.test(value ?? ''),
    message:
      'is not random (too few distinct bytes, a repeated pattern or a sequence): generate one with openssl rand -base64 32',
  })
  CHRONICLE_MASTER_KEY?: string;
  @Transform(list)
  @Rule('keys', (keys: string[]) => keys.every((key) => MASTER_KEY.test(key)), {
    message: ({ value }) =>
      `(key ${(value as string[]).findIndex((key) => !MASTER_KEY.test(key)) + 1}) ${KEY_FORMAT}`,
  })
  CHRONICLE_PREVIOUS_MASTER_KEYS: string[] = [];

  @IsDefined({
    validateIf: (e) => production(e) && !e.AUTH_PUBLIC_KEY,
    message:
      '(or AUTH_PUBLIC_KEY) is required in production: the development issuer signs anyone in',
  })
  @Rule('httpsUrl', (value, e) => !!url(value, production(e) ? ['https:'] : ['https:', 'http:']), {
    validateIf: whenSet,
    message: `must be an https:// URL (http:// outside production)${GOT}`,
  })
  AUTH_JWKS_URL?: string;
  @Transform(({ value }) => value.replace(/\\n/g, '\n'))
  @IsOptional()
  @Matches(PEM, { message: 'must be a PEM public key (-----BEGIN PUBLIC KEY-----)' })
  @Rule('notBoth', (_, e) => !e.AUTH_JWKS_URL, {
    message: 'must not be set with AUTH_JWKS_URL: set one of them',
  })
  AUTH_PUBLIC_KEY?: string;
  @RequiredWithIdentityProvider AUTH_ISSUER?: string;
  @RequiredWithIdentityProvider AUTH_AUDIENCE?: string;
  @Pattern(/^[A-Za-z0-9_:/.-]{1,200}$/, 'must be a claim name or dotted path')
  AUTH_ROLES_CLAIM = 'roles';
  @Integer(0, 300) AUTH_CLOCK_SKEW_SECONDS = 30;
  @Integer(0, 3600) AUTH_JWKS_COOLDOWN_SECONDS = 30;
  @Integer(1, 86_400) AUTH_JWKS_MAX_AGE_SECONDS = 600;
  @IsString() AUTH_DEV_ISSUER_DIR = '.data/dev-issuer';

  @OneOf(['error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: 'error' | 'warn' | 'log' | 'debug' | 'verbose' = 'log';
}

/** The variables Environment declares, in its order. */
export const ENVIRONMENT_VARIABLES: readonly string[] = [
  ...new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(Environment, '', true, false)
      .map((metadata) => metadata.propertyName),
  ),
];

/**
 * ConfigModule's `validate`: the variables Environment declares, an empty one as unset, each checked; any bad one
 * stops start-up with one line per variable, naming it (a secret's value is never in it).
 */
export function validate(env: Env): Environment {
  const set = Object.fromEntries(
    ENVIRONMENT_VARIABLES.flatMap((name) => {
      const value = env[name]?.trim();
      return value ? [[name, value]] : [];
    }),
  );
  const environment = plainToInstance(Environment, set);
  const errors = validateSync(environment, { stopAtFirstError: true });
  if (errors.length > 0)
    throw new ConfigError(
      errors
        .map(({ property, constraints }) =>
          `${property} ${Object.values(constraints!)[0]}`.replace('$raw', () => env[property]!),
        )
        .join('; '),
    );
  return environment;
}

/** 32 bytes from 64 hex digits or base64 (MASTER_KEY's forms). */
export function keyBytes(key: string): Buffer {
  return Buffer.from(key, key.length === 64 ? 'hex' : 'base64');
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
