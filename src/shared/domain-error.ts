/** What sort of failure a domain error is: the HTTP layer answers 404, 409, 400 and 422 for them. */
export type DomainErrorKind = 'not-found' | 'conflict' | 'invalid' | 'rejected';

/**
 * A broken business rule. `kind` says what sort of failure it is, so the HTTP layer can map every
 * context's errors without knowing them. Declare one with `domainError`.
 */
export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;
  /** A stable, kebab-case identifier; it ends the problem `type` URI. */
  abstract readonly code: string;

  /** `facts`: what the client is told besides the message (e.g. the balance and the requested amount). */
  constructor(
    message: string,
    private readonly facts: Record<string, unknown> = {},
  ) {
    super(message);
  }

  details(): Record<string, unknown> {
    return this.facts;
  }
}

/** The base class of one domain error: `class CartNotFound extends domainError('not-found', 'cart-not-found')`. */
export function domainError<const Kind extends DomainErrorKind, const Code extends string>(
  kind: Kind,
  code: Code,
) {
  abstract class Declared extends DomainError {
    readonly kind = kind;
    readonly code = code;
  }
  return Declared;
}
