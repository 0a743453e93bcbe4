import type { NextFunction, Request, Response } from 'express';
import { inputErrors } from './input-rules.js';
import { bodyNotAnObject, RequestValidationError, sendProblem, toProblem } from './problem.js';

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

function hasBody(request: Request): boolean {
  return (
    request.headers['transfer-encoding'] !== undefined ||
    Number(request.headers['content-length'] ?? 0) > 0
  );
}

/** What clients send nearly always: known without parsing the header (type-is parses it on every request). */
const PLAIN_JSON = new Set(['application/json', 'application/json; charset=utf-8']);

function isJson(request: Request): boolean {
  const type = request.headers['content-type'];
  return (
    (type !== undefined && PLAIN_JSON.has(type.toLowerCase())) ||
    Boolean(request.is(['application/json', 'application/*+json']))
  );
}

/** 415 for a body that is not JSON, before any parsing. */
export function requireJsonBody(request: Request, response: Response, next: NextFunction): void {
  if (METHODS_WITH_BODY.has(request.method) && hasBody(request) && !isJson(request)) {
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

/**
 * Input that cannot be stored never gets in, whatever the route and its DTO: one rule for every body and query
 * (path parameters: InputValidationPipe). Runs right after the body parser, before the guards.
 */
export function requireStorableInput(
  request: Request,
  response: Response,
  next: NextFunction,
): void {
  if (Array.isArray(request.body)) {
    sendProblem(request, response, bodyNotAnObject('an array'));
    return;
  }
  const errors = [...inputErrors(request.body), ...inputErrors(request.query)];
  if (errors.length > 0) {
    sendProblem(request, response, toProblem(new RequestValidationError(errors)));
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
