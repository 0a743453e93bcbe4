import type { ThrottlerStorage } from '@nestjs/throttler';

/** Where the counts are kept: @nestjs/throttler's storage contract, in memory or in Redis. */
export type RateLimitStorage = ThrottlerStorage;
export type RateLimitRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

export const RATE_LIMIT_STORAGE = Symbol('RATE_LIMIT_STORAGE');

/** Seconds left until `at`, rounded up: what Retry-After says. */
export const secondsUntil = (at: number, now: number) => Math.max(0, Math.ceil((at - now) / 1000));
