import {
  applyDecorators,
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiExtension } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { ReadDatabase } from '../database/read-database.js';
import { ProjectionRunner } from '../projections/index.js';
import { budgetOf } from './database-budget.guard.js';
import { HttpProblem, RequestValidationError } from './problem.js';

const READ_MODELS = Symbol('chronicle:read-models');
export const READS_FROM_EXTENSION = 'x-reads-from';

/** The projections a GET route reads from: `consistentWith` waits for these; X-Read-Source says where they were read. */
export const ReadsFrom = (...projections: string[]) =>
  applyDecorators(
    SetMetadata(READ_MODELS, projections),
    // completeDocument turns it into the X-Read-Source header of the answer.
    ApiExtension(READS_FROM_EXTENSION, { projections }),
  );

/**
 * Read-your-writes: with `consistentWith=<position>` (or X-Consistent-With) a read waits, up to a bound,
 * until its read models have processed the event at that global position: on READ_DATABASE_URL's replica, until the
 * replica has replayed it there. A guard, after the caller is known and the request's database budget is set
 * (HttpModule): the route runs once the wait is over.
 */
@Injectable()
export class ConsistencyGuard implements CanActivate {
  constructor(
    private readonly runner: ProjectionRunner,
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly read: ReadDatabase,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    if (request.method !== 'GET') return true;
    const projections = this.reflector.get<string[] | undefined>(READ_MODELS, context.getHandler());
    if (projections) http.getResponse<Response>().setHeader('X-Read-Source', this.read.source);
    const raw = request.query.consistentWith ?? request.headers['x-consistent-with'];
    if (raw === undefined) return true;
    if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw) || Number(raw) < 1) {
      throw new RequestValidationError([
        {
          field: 'consistentWith',
          messages: ['consistentWith must be a positive integer position'],
        },
      ]);
    }
    return this.waitFor(request, Number(raw), projections);
  }

  private async waitFor(
    request: Request,
    position: number,
    projections: string[] | undefined,
  ): Promise<boolean> {
    const replica = this.read.source === 'replica' ? this.read.dataSource : undefined;
    const budget = budgetOf(request);
    // Waiting for a read model is not waiting for the database: CONSISTENCY_TIMEOUT_MS bounds it. Looking up the
    // position before it is, and stays in the request's budget.
    const caughtUp = await this.runner.waitFor(
      position,
      projections,
      this.config.consistencyTimeoutMs,
      replica,
      budget && ((wait) => budget.paused(wait)),
    );
    if (!caughtUp) {
      throw new HttpProblem({
        status: 503,
        code: 'consistency-timeout',
        detail: `The read model has not reached position ${position} within ${this.config.consistencyTimeoutMs} ms`,
        extensions: { position },
        headers: { 'Retry-After': '1' },
      });
    }
    return true;
  }
}
