import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { ConfigError, developmentMasterKey, loadConfig } from './config.js';
import { lowEntropy } from './environment.js';

const KEY = randomBytes(32).toString('base64');

/** An identity provider, which production requires. */
const PRODUCTION_AUTH = {
  AUTH_JWKS_URL: 'https://idp.example/certs',
  AUTH_ISSUER: 'https://idp.example',
  AUTH_AUDIENCE: 'chronicle',
};

describe('loadConfig', () => {
  it('has defaults that need nothing from the environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      databaseUrl: undefined,
      embeddedPg: { port: 54329, dataDir: '.data/postgres' },
    });
    expect(config.embeddedPg.port).not.toBe(5432);
    expect(config.snapshotEvery).toBe(100);
    expect(loadConfig({ SNAPSHOT_EVERY: '0' }).snapshotEvery).toBe(0);
  });

  it.each([
    [{ PORT: 'abc' }, /^PORT must be an integer from 0 to 65535, got "abc"$/],
    [{ PORT: '70000' }, /^PORT must be/],
    [{ EMBEDDED_PG_PORT: '5.5' }, /^EMBEDDED_PG_PORT must be an integer/],
    [{ DATABASE_URL: 'not a url' }, /^DATABASE_URL must be a URL/],
    [{ DATABASE_URL: 'mysql://x@y/z' }, /^DATABASE_URL must be a URL like postgres:\/\//],
    [{ READ_DATABASE_URL: 'not a url' }, /^READ_DATABASE_URL must be a URL/],
    [
      { NODE_ENV: 'staging' },
      /^NODE_ENV must be one of development, production, test, got "staging"$/,
    ],
    [{ BODY_LIMIT: '1gb' }, /^BODY_LIMIT must be a size/],
    [{ SNAPSHOT_EVERY: '-1' }, /^SNAPSHOT_EVERY must be an integer from 0 to 1000000/],
    [{ RUN_PROJECTIONS: 'accounts;orders' }, /^RUN_PROJECTIONS must be true, false or a comma/],
    [{ READINESS_MAX_LAG_MS: '0' }, /^READINESS_MAX_LAG_MS must be an integer from 1 to 86400000/],
    [
      { NODE_ENV: 'production', CHRONICLE_MASTER_KEY: randomBytes(32).toString('base64') },
      /^AUTH_JWKS_URL \(or AUTH_PUBLIC_KEY\) is required in production/,
    ],
    [
      {
        NODE_ENV: 'production',
        CHRONICLE_MASTER_KEY: KEY,
        AUTH_JWKS_URL: 'https://idp.example/certs',
      },
      /^AUTH_ISSUER is required with AUTH_JWKS_URL or AUTH_PUBLIC_KEY: .*; AUTH_AUDIENCE is required/,
    ],
    [
      {
        NODE_ENV: 'production',
        CHRONICLE_MASTER_KEY: KEY,
        AUTH_JWKS_URL: 'http://idp.example/certs',
      },
      /^AUTH_JWKS_URL must be an https:\/\/ URL/,
    ],
    [
      { AUTH_JWKS_URL: 'not a url' },
      /^AUTH_JWKS_URL must be an https:\/\/ URL .*, got "not a url"/,
    ],
    [{ AUTH_PUBLIC_KEY: 'ssh-rsa AAAA' }, /^AUTH_PUBLIC_KEY must be a PEM public key/],
    [
      { AUTH_JWKS_URL: 'https://idp.example/certs', AUTH_PUBLIC_KEY: 'x' },
      /AUTH_PUBLIC_KEY must not be set with AUTH_JWKS_URL/,
    ],
    [
      { NODE_ENV: 'development', AUTH_JWKS_URL: 'https://idp.example/certs', AUTH_ISSUER: 'x' },
      /^AUTH_AUDIENCE is required with AUTH_JWKS_URL/,
    ],
    [
      { AUTH_CLOCK_SKEW_SECONDS: '3600' },
      /^AUTH_CLOCK_SKEW_SECONDS must be an integer from 0 to 300/,
    ],
    [{ PROJECTION_RETRY_ATTEMPTS: '0' }, /^PROJECTION_RETRY_ATTEMPTS must be an integer from 1/],
    [{ DATABASE_TIMEOUT_MS: '50' }, /^DATABASE_TIMEOUT_MS must be an integer from 100 to 600000/],
    [{ DATABASE_CONNECT_TIMEOUT_MS: 'soon' }, /^DATABASE_CONNECT_TIMEOUT_MS must be an integer/],
    [
      { DATABASE_STATEMENT_TIMEOUT_MS: '-1' },
      /^DATABASE_STATEMENT_TIMEOUT_MS must be an integer from 0/,
    ],
    [
      { DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '1.5' },
      /^DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS must be an integer/,
    ],
    [
      { DATABASE_MAINTENANCE_STATEMENT_TIMEOUT_MS: 'none' },
      /^DATABASE_MAINTENANCE_STATEMENT_TIMEOUT_MS must be an integer/,
    ],
  ])('rejects %p with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('uses the development issuer outside production only, and reads an identity provider from the environment', () => {
    expect(loadConfig({}).auth).toMatchObject({
      keys: { kind: 'development', dir: '.data/dev-issuer' },
      issuer: 'chronicle-development',
      audience: 'chronicle',
      rolesClaim: 'roles',
      clockSkewSeconds: 30,
    });
    const production = loadConfig({
      NODE_ENV: 'production',
      CHRONICLE_MASTER_KEY: randomBytes(32).toString('base64'),
      AUTH_JWKS_URL: 'https://idp.example/realms/shop/protocol/openid-connect/certs',
      AUTH_ISSUER: 'https://idp.example/realms/shop',
      AUTH_AUDIENCE: 'chronicle-api',
      AUTH_ROLES_CLAIM: 'realm_access.roles',
    }).auth;
    expect(production).toMatchObject({
      keys: { kind: 'jwks', url: 'https://idp.example/realms/shop/protocol/openid-connect/certs' },
      issuer: 'https://idp.example/realms/shop',
      audience: 'chronicle-api',
      rolesClaim: 'realm_access.roles',
    });
  });

  it('reads sizes and the database url', () => {
    const config = loadConfig({ BODY_LIMIT: '2mb', DATABASE_URL: 'postgres://u@h:5432/d' });
    expect(config.bodyLimitBytes).toBe(2 * 1024 * 1024);
    expect(config.databaseUrl).toBe('postgres://u@h:5432/d');
  });

  it('reads the database timeouts; 0 turns a server-side one off', () => {
    expect(loadConfig({}).database).toEqual({
      timeoutMs: 5000,
      connectTimeoutMs: 5000,
      statementTimeoutMs: 30000,
      idleInTransactionTimeoutMs: 60000,
      maintenanceStatementTimeoutMs: 0,
    });
    expect(
      loadConfig({
        DATABASE_TIMEOUT_MS: '1500',
        DATABASE_CONNECT_TIMEOUT_MS: '1000',
        DATABASE_STATEMENT_TIMEOUT_MS: '0',
        DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '0',
        DATABASE_MAINTENANCE_STATEMENT_TIMEOUT_MS: '3600000',
      }).database,
    ).toEqual({
      timeoutMs: 1500,
      connectTimeoutMs: 1000,
      statementTimeoutMs: 0,
      idleInTransactionTimeoutMs: 0,
      maintenanceStatementTimeoutMs: 3600000,
    });
  });

  it('reads which projections this instance runs', () => {
    expect(loadConfig({}).projections.run).toBe(true);
    expect(loadConfig({ RUN_PROJECTIONS: 'false' }).projections.run).toBe(false);
    expect(
      loadConfig({ RUN_PROJECTIONS: 'accounts, account-daily-volume' }).projections.run,
    ).toEqual(['accounts', 'account-daily-volume']);
  });

  describe('CHRONICLE_MASTER_KEY', () => {
    const key = randomBytes(32);

    it('reads 32 bytes as hex or base64, and never shows them', () => {
      for (const raw of [key.toString('hex'), key.toString('base64')]) {
        const { masterKey } = loadConfig({
          CHRONICLE_MASTER_KEY: raw,
          NODE_ENV: 'production',
          ...PRODUCTION_AUTH,
        });
        expect(masterKey.development).toBe(false);
        expect(masterKey.key.export().equals(key)).toBe(true);
        expect(inspect(masterKey) + JSON.stringify(masterKey)).not.toContain(raw);
      }
    });

    it('falls back to the public development key outside production', () => {
      for (const NODE_ENV of ['development', 'test']) {
        const { masterKey } = loadConfig({ NODE_ENV });
        expect(masterKey.development).toBe(true);
        expect(masterKey.key.export().equals(developmentMasterKey().export())).toBe(true);
      }
    });

    it.each([
      ['all zeros', Buffer.alloc(32)],
      ['one repeated byte', Buffer.alloc(32, 0xa5)],
      ['a 16-byte pattern twice', Buffer.concat([key.subarray(0, 16), key.subarray(0, 16)])],
      ['a counting sequence', Buffer.from(Array.from({ length: 32 }, (_, i) => i))],
      ['hex digits typed in order', Buffer.from('0123456789abcdef'.repeat(4), 'hex')],
    ])('refuses a key of low entropy in production: %s', (_, weak) => {
      for (const raw of [weak.toString('hex'), weak.toString('base64')]) {
        expect(() =>
          loadConfig({ CHRONICLE_MASTER_KEY: raw, NODE_ENV: 'production', ...PRODUCTION_AUTH }),
        ).toThrow(/^CHRONICLE_MASTER_KEY is not random/);
        expect(
          loadConfig({ CHRONICLE_MASTER_KEY: raw, NODE_ENV: 'test' }).masterKey.development,
        ).toBe(false);
      }
    });

    it('takes any key openssl rand would give', () => {
      for (let i = 0; i < 200; i += 1) {
        expect(lowEntropy(randomBytes(32))).toBe(false);
      }
    });

    it('is required in production', () => {
      expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
        /^CHRONICLE_MASTER_KEY is required in production: 32 random bytes as base64/,
      );
    });

    it.each([
      key.subarray(0, 16).toString('hex'),
      key.subarray(0, 31).toString('base64'),
      `${key.toString('hex')}00`,
      'not a key at all, not even close to one',
    ])('refuses %p with one line that does not repeat it', (raw) => {
      const attempt = () => loadConfig({ CHRONICLE_MASTER_KEY: raw });
      expect(attempt).toThrow(ConfigError);
      expect(attempt).toThrow(/^CHRONICLE_MASTER_KEY must be 32 bytes as 64 hex digits or base64/);
      try {
        attempt();
      } catch (error) {
        expect((error as Error).message).not.toContain(raw);
      }
    });
  });

  describe('CHRONICLE_PREVIOUS_MASTER_KEYS', () => {
    const [one, two] = [randomBytes(32), randomBytes(32)];

    it('reads keys that only unwrap, comma-separated, hex or base64, and never shows them', () => {
      const raw = ` ${one.toString('hex')} ,${two.toString('base64')},`;
      const { masterKey } = loadConfig({ NODE_ENV: 'test', CHRONICLE_PREVIOUS_MASTER_KEYS: raw });
      expect(masterKey.previous.map((key) => key.export().toString('hex'))).toEqual([
        one.toString('hex'),
        two.toString('hex'),
      ]);
      expect(inspect(masterKey) + JSON.stringify(masterKey)).not.toContain(one.toString('hex'));
      expect(loadConfig({ NODE_ENV: 'test' }).masterKey.previous).toEqual([]);
    });

    it('refuses a bad key naming its place in the list, not its value', () => {
      const raw = `${one.toString('base64')},${two.toString('hex').slice(2)}`;
      const attempt = () => loadConfig({ NODE_ENV: 'test', CHRONICLE_PREVIOUS_MASTER_KEYS: raw });
      expect(attempt).toThrow(
        /^CHRONICLE_PREVIOUS_MASTER_KEYS \(key 2\) must be 32 bytes as 64 hex digits or base64/,
      );
      try {
        attempt();
      } catch (error) {
        expect((error as Error).message).not.toContain(two.toString('hex').slice(2));
      }
    });
  });
});
