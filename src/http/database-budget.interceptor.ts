import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { finalize, from, Observable, race } from 'rxjs';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { DatabaseBudget } from '../database/database-budget.js';
import { DatabaseHealth } from '../database/database-health.js';

/**
 * Every request waits for the database DATABASE_TIMEOUT_MS at most in all: then it answers 503
 * database-unavailable, whatever its queries are stuck on (see DatabaseBudget). The first interceptor, so the
 * others' queries (Idempotency-Key) count too. The handler is subscribed to in the budget's context, not only
 * created in it: an interceptor that calls next.handle() later, from a callback (Idempotency-Key, once its claim
 * is stored), is called back in the context of that subscription, and Nest runs the handler in the context
 * next.handle() is called in.
 */
@Injectable()
export class DatabaseBudgetInterceptor implements NestInterceptor {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly health: DatabaseHealth,
  ) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return new Observable<unknown>((subscriber) => {
      const budget = new DatabaseBudget(this.config.database.timeoutMs);
      budget.expired.catch((error: unknown) =>
        this.health.suspect(error, 'A request waited for the database in vain'),
      );
      return budget.run(() =>
        race(next.handle(), from(budget.expired))
          .pipe(finalize(() => budget.close()))
          .subscribe(subscriber),
      );
    });
  }
}
