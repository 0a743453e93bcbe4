import { performance } from 'node:perf_hooks';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { accessOf } from '../identity/access.guard.js';
import { correlationIdOf } from '../http/request-context.js';

/** What the request line needs from the application that served the request (set by RequestLogBinding). */
export interface RequestObserver {
  /** Records the request in http_request_duration_seconds. */
  observe(method: string, route: string, status: number, seconds: number): void;
  /** A client's correlation id that is not a UUID, as it is logged and relayed: an HMAC of it (no free text). */
  pseudonym(correlationId: string): string;
}

export const REQUEST_OBSERVER = Symbol('chronicle.requestObserver');
const STARTED = Symbol('chronicle.requestStarted');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The shape header() accepts for X-Correlation-Id; anything else was refused with a 400 and is not logged. */
const TOKEN = /^[A-Za-z0-9._:@-]{1,128}$/;

type Req = Request & { [STARTED]?: number };

/**
 * The route's pattern (`/accounts/:id/deposits`), never the URL: ids and query strings stay out of logs and labels.
 * Express keeps the last route that matched; a wildcard one (the middleware's `{/*splat}`) is no route of ours, so
 * a URL that matches no handler (a 404, or a request refused before routing) is `unmatched`.
 */
export function routeLabel(request: Request): string {
  const path = (request.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' && !path.includes('*') ? path : 'unmatched';
}

function correlationOf(request: Req, observer: RequestObserver | undefined): string | undefined {
  const raw = request.headers['x-correlation-id'];
  const given = Array.isArray(raw) ? raw[0] : raw;
  if (given === undefined) return correlationIdOf(request);
  if (UUID.test(given)) return given.toLowerCase();
  return TOKEN.test(given) && observer ? observer.pseudonym(given) : undefined;
}

/** The token's subject as the access guard resolved it; a subject that is not a UUID (an e-mail address?) hashed. */
function principalOf(request: Request): { sub: string; client?: string } | undefined {
  const principal = accessOf(request)?.principal;
  if (!principal) return undefined;
  const sub = UUID.test(principal.subject) ? principal.subject : `key:${principal.key}`;
  return principal.clientId ? { sub, client: principal.clientId } : { sub };
}

/** Records the request in the histogram; the numbers the line is made of. */
function observed(request: Req, response: Response) {
  const status = response.statusCode;
  const route = routeLabel(request);
  const ms = performance.now() - (request[STARTED] ?? performance.now());
  const observer = (request.app?.locals as Record<symbol, RequestObserver> | undefined)?.[
    REQUEST_OBSERVER
  ];
  observer?.observe(request.method, route, status, ms / 1000);
  return { status, route, ms, observer };
}

/** The one line per request, from the same numbers as the metric. */
function requestLine(
  request: Req,
  { status, route, ms, observer }: ReturnType<typeof observed>,
): object {
  const line: Record<string, unknown> = {
    method: request.method,
    route,
    status,
    durationMs: Math.round(ms * 100) / 100,
  };
  const principal = principalOf(request);
  if (principal) line.principal = principal;
  const correlationId = correlationOf(request, observer);
  if (correlationId) line.correlationId = correlationId;
  return line;
}

type Middleware = (request: Request, response: Response, next: () => void) => void;

/**
 * One line per finished (or abandoned) request, at info; "request failed" for a 5xx or a failed response. Nothing
 * of the request itself (no URL, query, headers or body). Not pino-http: see docs/architecture.md#logs-srclogging.
 */
export function requestLogMiddleware(logger: Logger): Middleware {
  return (request, response, next) => {
    (request as Req)[STARTED] = performance.now();
    let failed = false;
    const done = () => {
      response.removeListener('close', done);
      response.removeListener('finish', done);
      response.removeListener('error', onError);
      const numbers = observed(request, response);
      if (!logger.isLevelEnabled('info')) return;
      const line = requestLine(request, numbers);
      if (failed || numbers.status >= 500) logger.info(line, 'request failed');
      else logger.info(line, 'request');
    };
    const onError = () => {
      failed = true;
      done();
    };
    response.on('close', done);
    response.on('finish', done);
    response.on('error', onError);
    next();
  };
}
