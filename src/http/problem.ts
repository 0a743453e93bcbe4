import { HttpException, HttpStatus, Logger } from '@nestjs/common';
import { ApiBadRequestResponse, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { isDatabaseUnavailable } from '../database/database-errors.js';
import { ConcurrencyError, EventIdConflictError } from '../event-store/index.js';
import { DomainError } from '../shared/domain-error.js';

/** RFC 9457 problem details. */
export class ProblemResponse {
  @ApiProperty({ example: '/problems/insufficient-funds' })
  type: string;

  @ApiProperty({ example: 'Insufficient funds' })
  title: string;

  @ApiProperty({ example: 422 })
  status: number;

  @ApiPropertyOptional({ example: 'Account 0b6f... holds 100, less than the 150 requested' })
  detail?: string;

  @ApiPropertyOptional({ example: '/accounts/0b6f1f7e-2c1d-4a4e-9d7b-3f0e5a1c2b9d/withdrawals' })
  instance?: string;

  [extension: string]: unknown;
}

export class FieldError {
  @ApiProperty({ example: 'amount' })
  field: string;

  @ApiProperty({ example: ['amount must not be less than 1'] })
  messages: string[];
}

export class ValidationProblemResponse extends ProblemResponse {
  @ApiPropertyOptional({
    type: [FieldError],
    description: 'With validation-failed: every offending field and why',
  })
  errors?: FieldError[];
}

/** Swagger: the 400 of a controller whose routes all validate their input. */
export const ApiInvalidInputResponse = () =>
  ApiBadRequestResponse({
    type: ValidationProblemResponse,
    description: 'Invalid input; every offending field is named',
  });

export interface Problem {
  status: number;
  body: {
    type: string;
    title: string;
    status: number;
    detail?: string;
    [extension: string]: unknown;
  };
  headers?: Record<string, string>;
}

/** Input that failed validation: every offending field is named. */
export class RequestValidationError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(`Invalid ${errors.map((e) => e.field).join(', ')}`);
  }
}

/** A stored response replayed for a repeated Idempotency-Key; it is sent as it was first sent. */
export class ReplayedResponse extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string>,
  ) {
    super('replayed response');
  }
}

/** What an HttpProblem answers; `code` ends the problem's `type` URI and gives its title. */
export interface HttpProblemFields {
  status: number;
  code: string;
  detail: string;
  /** Members added to the body after `detail`. */
  extensions?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** An HTTP-level refusal that is not a domain rule (e.g. 503 while a read model catches up). */
export class HttpProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor({ status, code, detail, extensions = {}, headers = {} }: HttpProblemFields) {
    super(detail);
    this.status = status;
    this.code = code;
    this.extensions = extensions;
    this.headers = headers;
  }
}

const KIND_STATUS = { 'not-found': 404, conflict: 409, invalid: 400, rejected: 422 } as const;
const logger = new Logger('Problem');

function titleOf(code: string): string {
  const words = code.replace(/-/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function problem(
  status: number,
  code: string,
  detail: string,
  extensions: Record<string, unknown> = {},
): Problem {
  return {
    status,
    body: { type: `/problems/${code}`, title: titleOf(code), status, detail, ...extensions },
  };
}

/** A body that is JSON but not an object: no route takes anything else. */
export function bodyNotAnObject(what: string): Problem {
  return problem(400, 'body-not-an-object', `The request body is ${what}: send a JSON object`);
}

/** The JSON value a body holds, when it is one but not an object or array (the strict parser refuses those). */
function jsonScalar(text: unknown): string | undefined {
  try {
    const value: unknown = JSON.parse(String(text));
    return value === null ? 'null' : typeof value === 'object' ? undefined : `a ${typeof value}`;
  } catch {
    return undefined;
  }
}

/** Body-parser errors carry a `type` and a status; they are the client's fault, never a 500. */
function bodyParserProblem(error: {
  type?: string;
  status?: number;
  limit?: number;
  body?: unknown;
  code?: unknown;
}): Problem | undefined {
  switch (error.type) {
    case 'entity.too.large':
      return problem(
        413,
        'payload-too-large',
        `The request body is larger than the limit of ${error.limit} bytes`,
      );
    case 'entity.parse.failed': {
      const scalar = jsonScalar(error.body);
      return scalar
        ? bodyNotAnObject(scalar)
        : problem(400, 'malformed-json', 'The request body is not valid JSON');
    }
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return problem(
        415,
        'unsupported-media-type',
        'The request body encoding or charset is not supported',
      );
    case 'request.aborted':
      return problem(400, 'request-aborted', 'The request body was not received completely');
    default:
      // A body that does not inflate reaches us as zlib's (Z_*) or brotli's (ERR__*) error, marked 400 untyped.
      return error.status === 400 && /^(Z_|ERR__)/.test(String(error.code))
        ? problem(
            400,
            'invalid-content-encoding',
            'The request body is not encoded as its Content-Encoding header says',
          )
        : undefined;
  }
}

/** Seconds a client is asked to wait before retrying while the database is unavailable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** 503: the database is unreachable or did not answer within DATABASE_TIMEOUT_MS. */
export function databaseUnavailable(extensions: Record<string, unknown> = {}): Problem {
  return {
    ...problem(
      503,
      'database-unavailable',
      'The database is unavailable or did not answer in time; retry later',
      extensions,
    ),
    headers: { 'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS) },
  };
}

/** Maps any error to a problem. Unknown errors become a bare 500: no message, stack or SQL leaves the process. */
export function toProblem(error: unknown): Problem {
  if (error instanceof DomainError) {
    return problem(KIND_STATUS[error.kind], error.code, error.message, error.details());
  }
  if (error instanceof RequestValidationError) {
    return problem(400, 'validation-failed', error.message, { errors: error.errors });
  }
  if (error instanceof ConcurrencyError) {
    return problem(
      409,
      'version-conflict',
      `The stream is at version ${error.actualVersion}, not ${error.expectedVersion}`,
      {
        currentVersion: error.actualVersion,
        expectedVersion: error.expectedVersion,
      },
    );
  }
  if (error instanceof EventIdConflictError) {
    return problem(
      409,
      'event-id-conflict',
      'The request reuses ids of events already stored elsewhere',
    );
  }
  if (error instanceof HttpProblem) {
    return {
      ...problem(error.status, error.code, error.message, error.extensions),
      headers: error.headers,
    };
  }
  const parserProblem = bodyParserProblem(error as { type?: string });
  if (parserProblem) return parserProblem;
  // An outage fails thousands of requests alike: DatabaseHealth logs it once, never a stack per request.
  if (isDatabaseUnavailable(error)) return databaseUnavailable();
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const code = (HttpStatus[status] ?? 'error').toLowerCase().replace(/_/g, '-');
    const detail = status === 404 ? 'No such resource' : error.message;
    return problem(status, code, detail);
  }
  logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return problem(500, 'internal-error', 'An unexpected error occurred; it has been logged');
}

export function sendProblem(
  request: Request,
  response: Response,
  { status, body, headers = {} }: Problem,
): void {
  if (response.headersSent) return;
  response
    .status(status)
    .set(headers)
    .type('application/problem+json')
    .send(JSON.stringify({ ...body, instance: request.originalUrl }));
}
