import { inspect } from 'node:util';
import { ConfigError, loadConfig } from './config.js';

describe('integration configuration', () => {
  it('describes the contract without a broker, and relays only with NATS_URL', () => {
    expect(loadConfig({}).integration).toEqual({
      stream: 'CHRONICLE',
      subjectPrefix: 'chronicle',
      duplicateWindowMs: 120_000,
      nats: undefined,
    });
    expect(
      loadConfig({
        NATS_URL: 'nats://nats-1:4222, nats://nats-2',
        NATS_STREAM: 'LEDGER_FACTS',
        NATS_SUBJECT_PREFIX: 'acme.chronicle',
        NATS_DUPLICATE_WINDOW_MS: '300000',
        NATS_PUBLISH_TIMEOUT_MS: '2000',
        NATS_MAX_IN_FLIGHT: '64',
      }).integration,
    ).toEqual({
      stream: 'LEDGER_FACTS',
      subjectPrefix: 'acme.chronicle',
      duplicateWindowMs: 300_000,
      nats: {
        servers: ['nats://nats-1:4222', 'nats://nats-2:4222'],
        credentials: { kind: 'none' },
        publishTimeoutMs: 2000,
        maxInFlight: 64,
      },
    });
  });

  it('takes a user and password or a token from the URL, or NATS_TOKEN, or NATS_CREDS, and never shows a secret', () => {
    const user = loadConfig({ NATS_URL: 'nats://relay:p%40ss@nats:4222' }).integration.nats!;
    expect(user.servers).toEqual(['nats://nats:4222']);
    expect(user.credentials).toMatchObject({ kind: 'user', user: 'relay' });
    expect(user.credentials.kind === 'user' && user.credentials.pass.reveal()).toBe('p@ss');
    for (const shown of [
      JSON.stringify(user),
      inspect(user, { depth: 5 }),
      String(user.credentials),
    ])
      expect(shown).not.toContain('p@ss');

    const token = loadConfig({ NATS_URL: 'tls://s3cr3t@nats' }).integration.nats!;
    expect(token.servers).toEqual(['tls://nats:4222']);
    expect(token.credentials.kind === 'token' && token.credentials.token.reveal()).toBe('s3cr3t');
    expect(
      loadConfig({ NATS_URL: 'nats://nats', NATS_TOKEN: 't0k' }).integration.nats!.credentials,
    ).toMatchObject({ kind: 'token' });
    expect(
      loadConfig({ NATS_URL: 'nats://nats', NATS_CREDS: '/run/secrets/chronicle.creds' })
        .integration.nats!.credentials,
    ).toEqual({ kind: 'creds-file', path: '/run/secrets/chronicle.creds' });
  });

  it.each([
    [{ NATS_URL: 'http://nats:4222' }, /^NATS_URL must be nats:\/\/host:4222/],
    [{ NATS_URL: 'nats://user:hunter2@nats:4222/path' }, /^NATS_URL must be/],
    [{ NATS_URL: 'not a url with hunter2' }, /^NATS_URL must be/],
    [
      { NATS_URL: 'nats://a:hunter2@nats', NATS_TOKEN: 'x' },
      /^NATS_TOKEN is a credential: set one of a user or token in NATS_URL, NATS_TOKEN or NATS_CREDS$/,
    ],
    [{ NATS_STREAM: 'CHRONICLE.EVENTS' }, /^NATS_STREAM must be 1 to 64 letters/],
    [{ NATS_SUBJECT_PREFIX: 'chronicle.>' }, /^NATS_SUBJECT_PREFIX must be up to 4/],
    [{ NATS_SUBJECT_PREFIX: 'a..b' }, /^NATS_SUBJECT_PREFIX/],
    [{ NATS_DUPLICATE_WINDOW_MS: '500' }, /^NATS_DUPLICATE_WINDOW_MS must be an integer from 1000/],
    [{ NATS_URL: 'nats://n', NATS_PUBLISH_TIMEOUT_MS: 'soon' }, /^NATS_PUBLISH_TIMEOUT_MS/],
    [
      { NATS_URL: 'nats://n', NATS_MAX_IN_FLIGHT: '0' },
      /^NATS_MAX_IN_FLIGHT must be an integer from 1/,
    ],
  ])('refuses %j, naming the variable and never echoing a password', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
    try {
      loadConfig(env);
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
    }
  });
});
