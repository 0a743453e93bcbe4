import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { DatabaseBudget } from '../database/database-budget.js';
import { DatabaseHealth } from '../database/database-health.js';
import { sendProblem, toProblem } from './problem.js';

const budgets = new WeakMap<Request, DatabaseBudget>();

/** The budget of a request, for what runs after this guard (consistentWith pauses it). */
export const budgetOf = (request: Request): DatabaseBudget | undefined => budgets.get(request);

/** Whether the budget has answered this request already: what its handler does later cannot be sent. */
export const answeredByBudget = (request: Request): boolean =>
  budgets.get(request)?.ranOut === true;

/**
 * Every request waits for the database DATABASE_TIMEOUT_MS at most in all: then it answers 503
 * database-unavailable, whatever its queries are stuck on (see DatabaseBudget), and the handler's late outcome is
 * dropped (ProblemFilter). A guard, not an interceptor (see HttpModule), after the caller is known and before the
 * others of HttpModule, so Idempotency-Key's queries and consistentWith's lookup count. A stream (Server-Sent Events)
 * is bounded until its headers are out.
 */
@Injectable()
export class DatabaseBudgetGuard implements CanActivate {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly health: DatabaseHealth,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const budget = new DatabaseBudget(this.config.database.timeoutMs, () => response.headersSent);
    budgets.set(request, budget);
    // Closed however the request ends: answered, refused by a later guard, or the client gone.
    response.once('close', () => budget.close());
    budget.expired.catch((error: unknown) => {
      this.health.suspect(error, 'A request waited for the database in vain');
      sendProblem(request, response, toProblem(error));
    });
    return true;
  }
}
