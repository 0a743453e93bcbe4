import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { type EventMetadata, timeOrderedUuid } from '../event-store/index.js';
import { accessOf } from '../identity/access.guard.js';
import { RequestValidationError } from './problem.js';

const TOKEN = /^[A-Za-z0-9._:@-]{1,128}$/;

/** Reads a token header (Idempotency-Key, X-Correlation-Id); a malformed one is a 400 naming it. */

export function header(request: Request, name: string): string | undefined {
  const value = request.headers[name];
  if (value === undefined) return undefined;
  const single = Array.isArray(value) ? value[0] : value;
  if (!TOKEN.test(single)) {
    throw new RequestValidationError([
      { field: name, messages: [`${name} must be 1 to 128 characters of A-Z a-z 0-9 . _ : @ -`] },
    ]);
  }
  return single;
}

const CLAIMED_COMMAND = Symbol('chronicle.claimedCommand');
const CORRELATION_ID = Symbol('chronicle.correlationId');

/** The correlation id a command's events carry, once CommandMetadata has worked it out (the request line logs it). */
export function correlationIdOf(request: Request): string | undefined {
  return (request as Request & { [CORRELATION_ID]?: string })[CORRELATION_ID];
}

/** The command id the Idempotency-Key's claim gave this request (see IdempotencyGuard). */
export function claimCommand(request: Request, commandId: string): void {
  (request as Request & { [CLAIMED_COMMAND]?: string })[CLAIMED_COMMAND] = commandId;
}

/**
 * Event metadata for a command sent over HTTP. Every request is a command of its own, except a retry of the same
 * request under the same Idempotency-Key: its claim hands back the earlier run's id, so the store recognises it.
 */
export const CommandMetadata = createParamDecorator(
  (_: unknown, context: ExecutionContext): EventMetadata => {
    const request = context
      .switchToHttp()
      .getRequest<Request & { [CLAIMED_COMMAND]?: string; [CORRELATION_ID]?: string }>();
    const commandId = request[CLAIMED_COMMAND] ?? timeOrderedUuid();
    // Who acted is the verified token's subject (and the client it was issued to), never a header the caller types.
    const principal = accessOf(request)?.principal;
    const correlationId = header(request, 'x-correlation-id') ?? commandId;
    request[CORRELATION_ID] = correlationId;
    return {
      commandId,
      correlationId,
      causationId: commandId,
      actor: principal?.subject ?? 'anonymous',
      ...(principal?.clientId && { client: principal.clientId }),
    };
  },
);

/** The version from `If-Match: "<version>"`, or undefined when the header is absent or `*`. */
export const IfMatchVersion = createParamDecorator(
  (_: unknown, context: ExecutionContext): number | undefined => {
    const raw = context.switchToHttp().getRequest<Request>().headers['if-match'];
    if (raw === undefined || raw.trim() === '*') return undefined;
    // Strong comparison only (RFC 9110): a weak validator W/"3" cannot pin a version.
    const match = /^\s*"?(\d{1,9})"?\s*$/.exec(raw);
    if (!match) {
      throw new RequestValidationError([
        { field: 'if-match', messages: ['If-Match must be a version in quotes, e.g. "3"'] },
      ]);
    }
    return Number(match[1]);
  },
);

/** Swagger: the Idempotency-Key header every command accepts. */
export const IDEMPOTENCY_KEY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description:
    'Repeat a command safely: the same key and body returns the first response and writes nothing',
};

/** Swagger: the If-Match header of a command on `what` (e.g. "account"). */
export const ifMatchHeader = (what: string) => ({
  name: 'If-Match',
  required: false,
  description: `The version you saw, e.g. "3": the command fails with 409 if the ${what} has moved on`,
});
