import { createHash } from 'node:crypto';
import { deterministicUuid } from '../event-store/index.js';

export const ROLES = ['customer', 'teller', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who sent a request, as its verified bearer token says. */
export interface Principal {
  /** The token's `sub`, a UUID in lower case (see canonicalSubject). */
  readonly subject: string;
  /** The OAuth client the token was issued to (`azp` or `client_id`), when the token names one. */
  readonly clientId?: string;
  readonly roles: ReadonlySet<Role>;
  /** The customer this subject is: what owns their accounts and carts (see customerIdOf). */
  readonly customerId: string;
  /** Names subject and client in per-principal state (Idempotency-Key, rate limits) without holding either. */
  readonly key: string;
  /** When the token stops being accepted (its exp plus the clock skew), ms since the epoch: a stream ends there. */
  readonly validUntil?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The version nibble of the ids customerIdOf derives (deterministicUuid: version 8). */
const DERIVED = /^[0-9a-f]{8}-[0-9a-f]{4}-8/i;

/** One spelling per subject: a UUID in any letter case is one principal, not two (nor two rate-limit budgets). */
export function canonicalSubject(subject: string): string {
  return UUID.test(subject) ? subject.toLowerCase() : subject;
}

/**
 * A subject that is a UUID is its own customer id; any other gets a name-based UUID (version 8) derived from it. A
 * subject that looks derived is derived too, so no subject a user may choose can name another subject's customer.
 */
export function customerIdOf(subject: string): string {
  return UUID.test(subject) && !DERIVED.test(subject)
    ? subject.toLowerCase()
    : deterministicUuid('customer', subject);
}

/**
 * What a request may touch, decided from its route's policy and the principal's roles. `ownedBy` set: only what
 * belongs to that customer, and anything else is answered as if it did not exist (404), so existence does not leak.
 */
export interface Access {
  readonly principal: Principal;
  readonly ownedBy?: string;
}

/**
 * The key of a principal's own state (Idempotency-Key, rate-limit counts): subject and client, never mixed up,
 * hashed so that neither a subject (it may be an email address) nor a client id is stored with it.
 */
export function principalKey(subject: string, clientId?: string): string {
  return createHash('sha256')
    .update(`${subject}\u0000${clientId ?? ''}`)
    .digest('base64url')
    .slice(0, 22);
}
