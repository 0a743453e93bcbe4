import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import type { Observable } from 'rxjs';
import { ConsistencyInterceptor } from './consistency.interceptor.js';
import { DatabaseBudgetInterceptor } from './database-budget.interceptor.js';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';

/**
 * The app's interceptors, in their order, as Nest's one global interceptor: Nest wraps each interceptor it runs in
 * observables of its own (a defer, a merge, an async resource), a cost every request paid three times. Each of these
 * hands a request it has nothing to do with straight to the next.
 */
@Injectable()
export class HttpInterceptors implements NestInterceptor {
  private readonly chain: ReadonlyArray<{
    intercept(context: ExecutionContext, next: CallHandler): Observable<unknown>;
  }>;

  constructor(
    budget: DatabaseBudgetInterceptor,
    idempotency: IdempotencyInterceptor,
    consistency: ConsistencyInterceptor,
  ) {
    // The budget first, so the others' queries (Idempotency-Key) count too.
    this.chain = [budget, idempotency, consistency];
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const at = (i: number): CallHandler =>
      i === this.chain.length
        ? next
        : { handle: () => this.chain[i].intercept(context, at(i + 1)) };
    return at(0).handle();
  }
}
