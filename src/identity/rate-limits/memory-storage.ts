import type { OnApplicationShutdown } from '@nestjs/common';
import { secondsUntil, type RateLimitRecord, type RateLimitStorage } from './storage.js';

interface Window {
  hits: number;
  endsAt: number;
  blockedUntil: number;
}

const SWEEP_MS = 60_000;

/**
 * The counts of one process, in fixed windows: one Map lookup a hit. @nestjs/throttler's own storage keeps a
 * timestamp per hit and filters them on every request, which costs O(limit) at the limits a busy route needs.
 * Same rules as the Redis script (redis-storage.ts): a hit past the limit blocks the key for blockDuration.
 */
export class MemoryRateLimitStorage implements RateLimitStorage, OnApplicationShutdown {
  private readonly windows = new Map<string, Window>();
  private readonly sweep = setInterval(() => this.evictEnded(Date.now()), SWEEP_MS).unref();

  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
  ): Promise<RateLimitRecord> {
    const now = Date.now();
    let window = this.windows.get(key);
    if (window === undefined || (window.endsAt <= now && window.blockedUntil <= now)) {
      window = { hits: 0, endsAt: now + ttl, blockedUntil: 0 };
      this.windows.set(key, window);
    }
    if (window.blockedUntil <= now) {
      window.hits += 1;
      if (window.hits > limit)
        window.blockedUntil = blockDuration > 0 ? now + blockDuration : window.endsAt;
    }
    return Promise.resolve({
      totalHits: window.hits,
      timeToExpire: secondsUntil(window.endsAt, now),
      isBlocked: window.blockedUntil > now,
      timeToBlockExpire: secondsUntil(window.blockedUntil, now),
    });
  }

  private evictEnded(now: number): void {
    for (const [key, window] of this.windows)
      if (window.endsAt <= now && window.blockedUntil <= now) this.windows.delete(key);
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweep);
    this.windows.clear();
  }
}
