/**
 * A broken business rule. `kind` says what sort of failure it is, so the HTTP layer can map every
 * context's errors without knowing them: not-found -> 404, conflict -> 409, invalid -> 400, rejected -> 422.
 */
export abstract class DomainError extends Error {
  abstract readonly kind: 'not-found' | 'conflict' | 'invalid' | 'rejected';
  /** A stable, kebab-case identifier; it ends the problem `type` URI. */
  abstract readonly code: string;

  /** Extra facts for the client (e.g. the balance and the requested amount). */
  details(): Record<string, unknown> {
    return {};
  }
}
