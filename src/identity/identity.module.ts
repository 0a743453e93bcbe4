import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { Metrics } from '../metrics/metrics.service.js';
import { AccessGuard } from './access.guard.js';
import { MemoryRateLimitStorage } from './rate-limits/memory-storage.js';
import { rateLimitGuard } from './rate-limits/rate-limit.guard.js';
import { RedisRateLimitStorage } from './rate-limits/redis-storage.js';
import { RATE_LIMIT_STORAGE } from './rate-limits/storage.js';
import { TokenVerifier } from './token-verifier.js';

/**
 * Who is calling (bearer tokens), what they may do (ACCESS_POLICY) and how often (rate limits), for every route.
 * Global guards run in the order they are registered: the per-address limit before the token is verified, the
 * per-principal limits after.
 */
@Global()
@Module({
  providers: [
    {
      provide: TokenVerifier,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new TokenVerifier(config.auth),
    },
    {
      provide: RATE_LIMIT_STORAGE,
      inject: [APP_CONFIG, Metrics],
      useFactory: ({ rateLimits }: AppConfig, metrics: Metrics) =>
        rateLimits.redisUrl
          ? new RedisRateLimitStorage(rateLimits.redisUrl, rateLimits.keyPrefix, metrics)
          : new MemoryRateLimitStorage(),
    },
    rateLimitGuard('address'),
    { provide: APP_GUARD, useClass: AccessGuard },
    rateLimitGuard('principal'),
  ],
  exports: [TokenVerifier],
})
export class IdentityModule {}
