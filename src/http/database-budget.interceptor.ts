import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { Observable } from 'rxjs';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { DatabaseBudget } from '../database/database-budget.js';
import { DatabaseHealth } from '../database/database-health.js';

const budgets = new WeakMap<Request, DatabaseBudget>();

/** The budget of a request, for the interceptors after this one (consistentWith pauses it). */
export const budgetOf = (request: Request): DatabaseBudget | undefined => budgets.get(request);

/**
 * Every request waits for the database DATABASE_TIMEOUT_MS at most in all: then it answers 503
 * database-unavailable, whatever its queries are stuck on (see DatabaseBudget). The first interceptor, so the
 * others' queries (Idempotency-Key) count too. A stream (Server-Sent Events) is bounded until its headers are out.
 */
@Injectable()
export class DatabaseBudgetInterceptor implements NestInterceptor {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly health: DatabaseHealth,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    return new Observable<unknown>((subscriber) => {
      const budget = new DatabaseBudget(this.config.database.timeoutMs, () => response.headersSent);
      budgets.set(request, budget);
      // Closed however the request ends, a refusal thrown by the next interceptor before it answers included.
      subscriber.add(() => budget.close());
      budget.expired.catch((error: unknown) => {
        this.health.suspect(error, 'A request waited for the database in vain');
        subscriber.error(error);
      });
      return next.handle().subscribe(subscriber);
    });
  }
}
