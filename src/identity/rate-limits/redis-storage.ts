import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { Metrics } from '../../metrics/metrics.service.js';
import { secondsUntil, type RateLimitRecord, type RateLimitStorage } from './storage.js';

/**
 * One hit, atomically: count it in the key's window (made with the window's expiry by its first hit) unless the key
 * is blocked, and block it for ARGV[3] ms (0: until the window ends) once the count passes ARGV[2].
 * Answers { hits, ms left in the window, ms left blocked }.
 */
const HIT = `
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 then
  return { tonumber(redis.call('GET', KEYS[1]) or '0'), math.max(redis.call('PTTL', KEYS[1]), 0), blocked }
end
local hits = redis.call('INCR', KEYS[1])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  left = tonumber(ARGV[1])
  redis.call('PEXPIRE', KEYS[1], left)
end
if hits > tonumber(ARGV[2]) then
  blocked = tonumber(ARGV[3])
  if blocked <= 0 then blocked = left end
  redis.call('SET', KEYS[2], '1', 'PX', blocked)
  return { hits, left, blocked }
end
return { hits, left, 0 }
`;

/** Redis on the same network answers in a millisecond; past this a request does not wait for it. */
const COMMAND_TIMEOUT_MS = 250;
const CONNECT_TIMEOUT_MS = 1_000;
/** After a failure, requests are let through without asking Redis for this long (or until it is ready again). */
const PAUSE_AFTER_FAILURE_MS = 1_000;

type WithHit = Redis & {
  chronicleHit(
    ...args: [string, string, number, number, number]
  ): Promise<[number, number, number]>;
};

/**
 * The counts in Redis, shared by every instance. When Redis does not answer, requests are let through (fail
 * open): a limiter must not take the API down with it. That is logged once per outage and counted
 * (chronicle_rate_limit_unenforced_total). The app starts without Redis and connects whenever it can.
 */
export class RedisRateLimitStorage
  implements RateLimitStorage, OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger('RateLimits');
  private readonly redis: WithHit;
  private readonly where: string;
  private state: 'connecting' | 'up' | 'down' = 'connecting';
  private pausedUntil = 0;

  constructor(
    url: string,
    private readonly keyPrefix: string,
    private readonly metrics: Metrics,
  ) {
    const { hostname, port } = new URL(url);
    this.where = `${hostname}:${port || 6379}`;
    this.redis = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: CONNECT_TIMEOUT_MS,
      commandTimeout: COMMAND_TIMEOUT_MS,
      retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
    }) as WithHit;
    this.redis.defineCommand('chronicleHit', { numberOfKeys: 2, lua: HIT });
    // A refused connection is reported by the hits it fails, once per outage.
    this.redis.on('error', () => undefined);
    this.redis.on('ready', () => (this.pausedUntil = 0));
  }

  /** Waits for the first connection, at most CONNECT_TIMEOUT_MS: the first requests are counted. */
  async onApplicationBootstrap(): Promise<void> {
    await this.redis.connect().catch((error: Error) => this.wentDown(error));
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<RateLimitRecord> {
    if (Date.now() < this.pausedUntil) return this.unenforced(throttlerName);
    // One hash tag for both keys: one cluster slot, as a script's keys must be.
    const counted = `${this.keyPrefix}{${key}}`;
    try {
      const [hits, left, blocked] = await this.redis.chronicleHit(
        counted,
        `${counted}:blocked`,
        ttl,
        limit,
        blockDuration,
      );
      if (this.state === 'down')
        this.logger.log(`Redis (${this.where}) answers again: rate limits are enforced`);
      this.state = 'up';
      const now = Date.now();
      return {
        totalHits: hits,
        timeToExpire: secondsUntil(now + left, now),
        isBlocked: blocked > 0,
        timeToBlockExpire: secondsUntil(now + blocked, now),
      };
    } catch (error) {
      this.wentDown(error as Error);
      return this.unenforced(throttlerName);
    }
  }

  private wentDown(error: Error): void {
    this.pausedUntil = Date.now() + PAUSE_AFTER_FAILURE_MS;
    if (this.state !== 'down')
      this.logger.warn(
        `Rate limits are not enforced: Redis (${this.where}) does not answer (${error.message}); ` +
          'requests are let through until it does',
      );
    this.state = 'down';
  }

  private unenforced(throttlerName: string): RateLimitRecord {
    this.metrics.rateLimitsUnenforced.inc({ limit: throttlerName });
    return { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
