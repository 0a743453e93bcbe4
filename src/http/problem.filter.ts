import { ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { answeredByBudget } from './database-budget.guard.js';
import { ReplayedResponse, sendProblem, toProblem } from './problem.js';

@Catch()
export class ProblemFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    // The request ran out of its database budget and was answered 503: its handler's late outcome has no one to go to.
    if (answeredByBudget(request)) return;
    if (error instanceof ReplayedResponse) {
      response
        .status(error.status)
        .set({ ...error.headers, 'Idempotent-Replayed': 'true' })
        .send(JSON.stringify(error.body));
      return;
    }
    sendProblem(request, response, toProblem(error));
  }
}
