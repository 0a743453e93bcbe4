import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ConsistencyGuard } from './consistency.guard.js';
import { DatabaseBudgetGuard } from './database-budget.guard.js';
import { IdempotencyGuard } from './idempotency.guard.js';

/**
 * The HTTP edge's guards after the caller is known: AppModule imports this module after IdentityModule, and Nest
 * runs global guards in the order their modules are scanned. The database budget first, so that a command's
 * Idempotency-Key claim and a read's consistentWith lookup count against it. Guards, and the app has no interceptor:
 * Nest wraps every route that has one in observables and async resources of its own, about a fifth of a read's CPU
 * (bench/findings.md, 2026-12-07 16:30).
 */
@Module({
  providers: [
    { provide: APP_GUARD, useClass: DatabaseBudgetGuard },
    { provide: APP_GUARD, useClass: IdempotencyGuard },
    { provide: APP_GUARD, useClass: ConsistencyGuard },
  ],
})
export class HttpModule {}
