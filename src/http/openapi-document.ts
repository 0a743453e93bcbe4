import type { OpenAPIObject } from '@nestjs/swagger';
import { ACCESS_POLICY, type RoutePolicy } from '../identity/access-policy.js';
import { READS_FROM_EXTENSION } from './consistency.guard.js';
import { DEFAULT_PROBLEM_BY_STATUS, PROBLEM_EXAMPLES, problemExample } from './problem-examples.js';

type Operation = NonNullable<OpenAPIObject['paths'][string]['get']>;

const PROBLEM_JSON = 'application/problem+json';
const PROBLEM = { $ref: '#/components/schemas/ProblemResponse' };
const VALIDATION_PROBLEM = { $ref: '#/components/schemas/ValidationProblemResponse' };
const WITH_BODY = new Set(['post', 'put', 'patch']);
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
const EXAMPLE_ID = '0b6f1f7e-2c1d-4a4e-9d7b-3f0e5a1c2b9d';
const EXAMPLE_PATH_VALUES: Record<string, string> = { name: 'accounts', productId: 'sku-42' };

interface GlobalResponse {
  description: string;
  headers?: Record<string, { description: string; schema: { type: 'integer' | 'string' } }>;
}

const READ_SOURCE = {
  'X-Read-Source': {
    description:
      'Which database served the read: replica (READ_DATABASE_URL, a streaming replica) or primary',
    schema: { type: 'string', enum: ['replica', 'primary'] },
  },
};

/** A read-model route (`@ReadsFrom`): its successful answers say which database served them. */
function withReadSource(operation: Operation): void {
  const extended = operation as Operation & Record<string, unknown>;
  if (!(READS_FROM_EXTENSION in extended)) return;
  delete extended[READS_FROM_EXTENSION];
  for (const [status, response] of Object.entries(operation.responses)) {
    if (Number(status) >= 300 || !response || '$ref' in response) continue;
    response.headers = { ...response.headers, ...READ_SOURCE };
  }
}

const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' as const } },
};

/** What any operation can answer, whatever its controller says: the HTTP pipeline's own problems. */
function globalResponses(
  method: string,
  operation: Operation,
  isPublic: boolean,
): Record<string, GlobalResponse> {
  const takes = (name: string) =>
    (operation.parameters ?? []).some((p) => 'name' in p && p.name === name);
  const takesIdempotencyKey = takes('Idempotency-Key');
  // The consistency guard serves every GET that takes consistentWith.
  const waits = method === 'get' && takes('consistentWith');
  return {
    400: {
      description:
        'validation-failed: invalid input, every offending field named (a string or header that cannot ' +
        'be stored included); malformed-json; body-not-an-object (e.g. a null body); invalid-content-encoding ' +
        '(a gzip, deflate or br body that does not inflate); malformed-request (not valid HTTP/1.1: an ' +
        'unknown method, conflicting framing)' +
        (waits ? '; unknown-position: no event is stored at the consistentWith position' : ''),
    },
    ...(WITH_BODY.has(method) && {
      413: { description: 'payload-too-large: the body is over BODY_LIMIT' },
      415: { description: 'unsupported-media-type: the body is not application/json' },
    }),
    ...(takesIdempotencyKey && {
      409: {
        description:
          'idempotency-key-in-progress: a request with this Idempotency-Key is still running (Retry-After)',
      },
      422: {
        description:
          'idempotency-key-reused: this Idempotency-Key was used with another request while it is remembered',
      },
    }),
    ...(!isPublic && {
      401: {
        description:
          'unauthorized: no bearer token, or one that does not verify (signature, issuer, audience, expiry); ' +
          'WWW-Authenticate says why',
        headers: {
          'WWW-Authenticate': {
            description: 'Bearer realm="chronicle", error=...',
            schema: { type: 'string' },
          },
        },
      },
      403: { description: "forbidden: the token's roles do not allow this route" },
      429: {
        description:
          'rate-limited: too many requests a minute from this address or principal, or to the expensive ' +
          'routes (time travel, history, reports, rebuild); Retry-After says when to try again',
        headers: RETRY_AFTER,
      },
    }),
    408: { description: 'request-timeout: the request was not received in time' },
    431: {
      description:
        'request-header-fields-too-large: the headers are over the server limit (16 KiB)',
    },
    500: { description: 'internal-error: logged; nothing else leaves the process' },
    503: {
      description:
        'database-unavailable: the database did not answer in time (Retry-After)' +
        (waits
          ? '; consistency-timeout: consistentWith was not reached in time (Retry-After)'
          : '') +
        (isPublic
          ? ''
          : '; identity-provider-unavailable: the JWKS could not be fetched (Retry-After)'),
      headers: RETRY_AFTER,
    },
  };
}

/** Appends who may call the operation, as ACCESS_POLICY says. */
function withRoles(
  description: string | undefined,
  policy: Exclude<RoutePolicy, 'public'>,
): string {
  const roles = Object.entries(policy)
    .map(([role, reach]) => (reach === 'own' ? `${role} (their own only)` : role))
    .join(', ');
  return `${description ? `${description}\n\n` : ''}**Roles:** ${roles}.`;
}

/** The problem types of this status a description names. */
function codesIn(status: number, description = ''): string[] {
  return [...new Set(description.match(/[a-z]+(?:-[a-z]+)+/g) ?? [])].filter(
    (code) => PROBLEM_EXAMPLES[code]?.status === status,
  );
}

/** The controller's problem types (or the status's usual one when it names none), then the pipeline's. */
function problemCodes(
  status: number,
  own: string | undefined,
  global: string | undefined,
): string[] {
  const fallback = DEFAULT_PROBLEM_BY_STATUS[status];
  const owned = own === undefined ? [] : codesIn(status, own);
  if (own !== undefined && owned.length === 0 && fallback) owned.push(fallback);
  const codes = [...new Set([...owned, ...codesIn(status, global)])];
  // One-word types (unauthorized, forbidden) are not picked out of a description: the status's usual one.
  return codes.length === 0 && fallback ? [fallback] : codes;
}

/** The controller's description, then each of the pipeline's problem types it does not mention yet. */
function mergeDescriptions(own: string | undefined, global: string): string {
  if (!own) return global;
  const missing = global.split('; ').filter((clause) => {
    const code = /^[a-z]+(?:-[a-z]+)+/.exec(clause)?.[0];
    return !code || !own.includes(code);
  });
  return missing.length > 0 ? `${own}; or ${missing.join('; ')}` : own;
}

/**
 * Completes the document Nest builds from the decorators: every operation gets the problems the HTTP
 * pipeline can answer anywhere, errors are application/problem+json, and each error status shows an
 * example of each problem type it names (not one generic problem under every status).
 */
export function completeDocument(document: OpenAPIObject): OpenAPIObject {
  // RFC 9457: a problem type may add members of its own (`balance`, `currentVersion`...); its examples show them.
  for (const name of ['ProblemResponse', 'ValidationProblemResponse']) {
    const schema = document.components?.schemas?.[name];
    if (schema && !('$ref' in schema)) schema.additionalProperties = true;
  }
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const responses = operation.responses;
      withReadSource(operation);
      const policy = ACCESS_POLICY[`${method.toUpperCase()} ${path}`];
      const isPublic = policy === 'public';
      // Swagger UI's Authorize button sends the token to every route but the public ones.
      operation.security = isPublic ? [] : [{ bearer: [] }];
      if (policy && !isPublic) operation.description = withRoles(operation.description, policy);
      const global = globalResponses(method, operation, isPublic);
      const codes = new Map<string, string[]>();
      for (const [status, response] of Object.entries(responses)) {
        if (response && 'description' in response && Number(status) >= 400) {
          codes.set(
            status,
            problemCodes(Number(status), response.description, global[status]?.description),
          );
        }
      }
      for (const [status, pipeline] of Object.entries(global)) {
        codes.set(
          status,
          codes.get(status) ?? problemCodes(Number(status), undefined, pipeline.description),
        );
        const own = responses[status] as { description?: string } | undefined;
        responses[status] = {
          ...own,
          ...(pipeline.headers && { headers: pipeline.headers }),
          description: mergeDescriptions(own?.description, pipeline.description),
        };
      }
      const instance = path.replace(
        /\{(\w+)\}/g,
        (_, name: string) => EXAMPLE_PATH_VALUES[name] ?? EXAMPLE_ID,
      );
      for (const [status, response] of Object.entries(responses)) {
        if (!response || Number(status) < 400 || '$ref' in response) continue;
        const media = response.content ?? {};
        const schema =
          media[PROBLEM_JSON]?.schema ??
          media['application/json']?.schema ??
          (status === '400' ? VALIDATION_PROBLEM : PROBLEM);
        const examples = Object.fromEntries(
          (codes.get(status) ?? []).map((code) => [
            code,
            { value: problemExample(code, instance) },
          ]),
        );
        response.content = {
          [PROBLEM_JSON]: { schema, ...(Object.keys(examples).length > 0 && { examples }) },
        };
      }
    }
  }
  return document;
}
