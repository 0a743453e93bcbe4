import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ConsistencyGuard } from './consistency.guard.js';
import { DatabaseBudgetGuard } from './database-budget.guard.js';

/**
 * The HTTP edge's guards after the caller is known: AppModule imports this module after IdentityModule, and Nest
 * runs global guards in the order their modules are scanned. The database budget first, so that the lookup of
 * consistentWith and the command route's Idempotency-Key (bindIdempotencyToCommands) count against it.
 */
@Module({
  providers: [
    { provide: APP_GUARD, useClass: DatabaseBudgetGuard },
    { provide: APP_GUARD, useClass: ConsistencyGuard },
  ],
})
export class HttpModule {}
