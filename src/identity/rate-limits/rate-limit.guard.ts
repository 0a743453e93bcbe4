import type { CanActivate, ExecutionContext, FactoryProvider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { normalizeIp } from '@nestjs/throttler/dist/ip.js';
import type { Request } from 'express';
import { APP_CONFIG, type AppConfig, type RateLimitConfig } from '../../config/config.js';
import { HttpProblem } from '../../http/problem.js';
import { Metrics } from '../../metrics/metrics.service.js';
import { ACCESS_POLICY, EXPENSIVE_ROUTES } from '../access-policy.js';
import { accessOf } from '../access.guard.js';
import { routeOf } from '../route-of.js';
import { RATE_LIMIT_STORAGE, type RateLimitStorage } from './storage.js';

/** `address` runs before AccessGuard (a flood of bad tokens is limited too), `principal` after it. */
export type RateLimitStage = 'address' | 'principal';

interface Limit {
  name: 'ip' | 'principal' | 'expensive';
  perMinute: number;
  /** Whether the request counts against this limit. */
  counts(context: ExecutionContext, request: Request): boolean;
  /** Whose budget it is. */
  tracker(request: Request): string;
  refusal: string;
}

const WINDOW_MS = 60_000;

const isPublic = (context: ExecutionContext) => ACCESS_POLICY[routeOf(context)] === 'public';

function isExpensive(context: ExecutionContext, request: Request): boolean {
  const expense = EXPENSIVE_ROUTES[routeOf(context)];
  return expense === true || (expense !== undefined && expense(request.query));
}

/** IPv6 clients are counted by their /64, which each of them holds whole. */
const addressOf = (request: Request) => normalizeIp(request.ip ?? '');
const principalOf = (request: Request) => accessOf(request)!.principal.key;
const identified = (_: ExecutionContext, request: Request) => accessOf(request) !== undefined;

/** The limits a stage checks, in order; 0 is no limit. /health and /metrics are never limited (probes, scrapes). */
function limitsOf(stage: RateLimitStage, config: RateLimitConfig): Limit[] {
  const limits: Limit[] =
    stage === 'address'
      ? [
          {
            name: 'ip',
            perMinute: config.perIp,
            counts: (context) => !isPublic(context),
            tracker: addressOf,
            refusal: 'came from your address',
          },
        ]
      : [
          {
            name: 'principal',
            perMinute: config.perPrincipal,
            counts: identified,
            tracker: principalOf,
            refusal: 'came from you',
          },
          {
            name: 'expensive',
            perMinute: config.expensive,
            counts: (context, request) =>
              identified(context, request) && isExpensive(context, request),
            tracker: principalOf,
            refusal: 'came from you for time travel, history, reports and rebuilds',
          },
        ];
  return limits.filter((limit) => limit.perMinute > 0);
}

/**
 * One-minute windows, one budget for the whole API: per address, then per principal and per principal on
 * EXPENSIVE_ROUTES; over a limit, 429 with Retry-After. Not ThrottlerGuard: see docs/architecture.md#rate-limits.
 */
export class RateLimitGuard implements CanActivate {
  private readonly limits: readonly Limit[];

  constructor(
    stage: RateLimitStage,
    config: RateLimitConfig,
    private readonly storage: RateLimitStorage,
    private readonly metrics: Metrics,
  ) {
    this.limits = limitsOf(stage, config);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.limits.length === 0) return true;
    const request = context.switchToHttp().getRequest<Request>();
    for (const limit of this.limits) {
      if (!limit.counts(context, request)) continue;
      const { isBlocked, timeToBlockExpire } = await this.storage.increment(
        `${limit.name}:${limit.tracker(request)}`,
        WINDOW_MS,
        limit.perMinute,
        WINDOW_MS,
        limit.name,
      );
      if (isBlocked) throw this.refuse(limit, timeToBlockExpire);
    }
    return true;
  }

  private refuse(limit: Limit, secondsBlocked: number): HttpProblem {
    const retryAfter = Math.max(1, secondsBlocked);
    this.metrics.rateLimited.inc({ limit: limit.name });
    return new HttpProblem({
      status: 429,
      code: 'rate-limited',
      detail: `More than ${limit.perMinute} requests a minute ${limit.refusal}: retry in ${retryAfter} s`,
      headers: { 'Retry-After': String(retryAfter) },
    });
  }
}

/** An APP_GUARD for a stage; IdentityModule registers them around AccessGuard, in the order they must run. */
export function rateLimitGuard(stage: RateLimitStage): FactoryProvider {
  return {
    provide: APP_GUARD,
    inject: [APP_CONFIG, RATE_LIMIT_STORAGE, Metrics],
    useFactory: (config: AppConfig, storage: RateLimitStorage, metrics: Metrics) =>
      new RateLimitGuard(stage, config.rateLimits, storage, metrics),
  };
}
