import { ConfigError, loadConfig } from './config.js';

describe('rate limit configuration', () => {
  it('limits each minute by default, counts in memory without REDIS_URL, and 0 turns a limit off', () => {
    expect(loadConfig({})).toMatchObject({
      rateLimits: {
        perPrincipal: 600,
        perIp: 1200,
        expensive: 30,
        redisUrl: undefined,
        keyPrefix: 'chronicle:rate-limit:',
      },
      trustProxyHops: 0,
    });
    const config = loadConfig({
      RATE_LIMIT_PER_MINUTE: '0',
      RATE_LIMIT_IP_PER_MINUTE: '50',
      RATE_LIMIT_EXPENSIVE_PER_MINUTE: '5',
      REDIS_URL: 'redis://:secret@cache:6379/2',
      RATE_LIMIT_KEY_PREFIX: 'staging:',
      TRUST_PROXY_HOPS: '1',
    });
    expect(config.rateLimits).toEqual({
      perPrincipal: 0,
      perIp: 50,
      expensive: 5,
      redisUrl: 'redis://:secret@cache:6379/2',
      keyPrefix: 'staging:',
    });
    expect(config.trustProxyHops).toBe(1);
  });

  it.each([
    [
      { RATE_LIMIT_PER_MINUTE: '-1' },
      /^RATE_LIMIT_PER_MINUTE must be an integer from 0 to 10000000/,
    ],
    [{ RATE_LIMIT_IP_PER_MINUTE: 'lots' }, /^RATE_LIMIT_IP_PER_MINUTE must be an integer/],
    [
      { RATE_LIMIT_EXPENSIVE_PER_MINUTE: '1.5' },
      /^RATE_LIMIT_EXPENSIVE_PER_MINUTE must be an integer/,
    ],
    [{ TRUST_PROXY_HOPS: '11' }, /^TRUST_PROXY_HOPS must be an integer from 0 to 10/],
    [
      { RATE_LIMIT_KEY_PREFIX: 'has space' },
      /^RATE_LIMIT_KEY_PREFIX must be up to 100 printable ASCII/,
    ],
    [{ REDIS_URL: 'http://cache:6379' }, /^REDIS_URL must be a URL like redis:\/\/host:6379/],
  ])('refuses %p, naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('never echoes a REDIS_URL it refuses: it may hold a password', () => {
    expect(() => loadConfig({ REDIS_URL: 'not a url with s3cret' })).toThrow(
      /^REDIS_URL must be a URL like/,
    );
    expect(() => loadConfig({ REDIS_URL: 'not a url with s3cret' })).not.toThrow(/s3cret/);
  });
});
