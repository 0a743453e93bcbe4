import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { defer, finalize, from, type Observable, race } from 'rxjs';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { DatabaseBudget } from '../database/database-budget.js';
import { DatabaseHealth } from '../database/database-health.js';

/**
 * Every request waits for the database DATABASE_TIMEOUT_MS at most in all: then it answers 503
 * database-unavailable, whatever its queries are stuck on (see DatabaseBudget). The first interceptor, so the
 * others' queries (Idempotency-Key) count too.
 */
@Injectable()
export class DatabaseBudgetInterceptor implements NestInterceptor {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly health: DatabaseHealth,
  ) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return defer(() => {
      const budget = new DatabaseBudget(this.config.database.timeoutMs);
      budget.expired.catch((error: unknown) =>
        this.health.suspect(error, 'A request waited for the database in vain'),
      );
      const handled = budget.run(() => next.handle());
      return race(handled, from(budget.expired)).pipe(finalize(() => budget.close()));
    });
  }
}
