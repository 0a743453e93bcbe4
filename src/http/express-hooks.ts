import type { NextFunction, Request, Response } from 'express';
import { sendProblem, toProblem } from './problem.js';

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

function hasBody(request: Request): boolean {
  return (
    request.headers['transfer-encoding'] !== undefined ||
    Number(request.headers['content-length'] ?? 0) > 0
  );
}

/** 415 for a body that is not JSON, before any parsing. */
export function requireJsonBody(request: Request, response: Response, next: NextFunction): void {
  if (
    METHODS_WITH_BODY.has(request.method) &&
    hasBody(request) &&
    !request.is(['application/json', 'application/*+json'])
  ) {
    sendProblem(request, response, {
      status: 415,
      body: {
        type: '/problems/unsupported-media-type',
        title: 'Unsupported media type',
        status: 415,
        detail: `Send the body as application/json, not ${request.headers['content-type'] ?? 'without a Content-Type'}`,
      },
    });
    return;
  }
  next();
}

/** Errors raised by Express middleware (the body parser) before Nest's filters can see them. */
export function problemErrorHandler(
  error: unknown,
  request: Request,
  response: Response,
  _next: NextFunction,
): void {
  sendProblem(request, response, toProblem(error));
}
