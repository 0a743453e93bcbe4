import { createPublicKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { AuthConfig } from '../config/config.js';
import { unstorableCodePoint } from '../http/input-rules.js';
import { DevelopmentIssuer } from './development-issuer.js';
import {
  canonicalSubject,
  customerIdOf,
  principalKey,
  ROLES,
  type Principal,
  type Role,
} from './principal.js';

/** Asymmetric algorithms only: an HS256 token "signed" with the public key, or `alg: none`, never passes. */
const ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];
const MAX_TOKEN_LENGTH = 8192;
const CACHE_SIZE = 10_000;
/** At most this many characters of tokens kept: 4 MiB of strings (UTF-16) with their entries. */
const CACHE_CHARS = 2 * 1024 * 1024;
/** A verified token is trusted again without its signature for at most this long (and never past its exp). */
const CACHE_MS = 5 * 60_000;

/** A token that does not prove who sent it: 401, with what is wrong said in WWW-Authenticate. */
export class InvalidToken extends Error {}

/** The identity provider's keys could not be fetched: not the caller's fault, 503. */
export class IdentityProviderUnavailable extends Error {}

const JOSE_REASONS: Record<string, string> = {
  ERR_JWT_EXPIRED: 'The token has expired',
  ERR_JWT_CLAIM_VALIDATION_FAILED: 'The token is not valid here',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'The token signature does not verify',
  ERR_JOSE_ALG_NOT_ALLOWED: 'The token algorithm is not accepted',
  ERR_JOSE_NOT_SUPPORTED: 'The token uses an algorithm or header that is not accepted',
  ERR_JWKS_NO_MATCHING_KEY: 'The token was not signed by a known key',
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: 'The token was not signed by a known key',
  ERR_JWS_INVALID: 'The token is malformed',
  ERR_JWT_INVALID: 'The token is malformed',
};

function claimAt(payload: JWTPayload, path: string): unknown {
  if (path in payload) return payload[path];
  return path
    .split('.')
    .reduce<unknown>(
      (value, key) =>
        value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined,
      payload,
    );
}

function rolesIn(claim: unknown): Set<Role> {
  const values = Array.isArray(claim) ? claim : typeof claim === 'string' ? claim.split(' ') : [];
  return new Set(values.filter((value): value is Role => ROLES.includes(value as Role)));
}

/** A claim we store (the subject becomes the actor of events): text PostgreSQL can hold, no control characters. */
function storable(value: unknown, max: number): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= max &&
    // eslint-disable-next-line no-control-regex
    !/[\u0000-\u001f\u007f]/.test(value) &&
    unstorableCodePoint(value) === undefined
  );
}

/**
 * Verifies bearer tokens with jose and remembers the verified ones, so a token reused for many requests has its
 * signature checked once. See docs/architecture.md#identity-and-access.
 */
export class TokenVerifier {
  private readonly key: KeyObject | JWTVerifyGetKey;
  private readonly verified = new Map<string, { principal: Principal; until: number }>();
  private cachedBytes = 0;

  constructor(private readonly config: AuthConfig) {
    const keys = config.keys;
    this.key =
      keys.kind === 'jwks'
        ? createRemoteJWKSet(new URL(keys.url), {
            timeoutDuration: 5_000,
            cooldownDuration: config.jwksCooldownSeconds * 1000,
            cacheMaxAge: config.jwksMaxAgeSeconds * 1000,
          })
        : createPublicKey(
            keys.kind === 'public-key' ? keys.pem : DevelopmentIssuer.open(keys.dir).publicKeyPem,
          );
  }

  async verify(token: string): Promise<Principal> {
    const now = Date.now();
    const known = this.verified.get(token);
    if (known) {
      this.verified.delete(token);
      this.cachedBytes -= token.length;
      // Least recently used goes first: re-inserted, a token in use stays while others come and go.
      if (known.until > now) {
        this.verified.set(token, known);
        this.cachedBytes += token.length;
        return known.principal;
      }
    }
    if (token.length > MAX_TOKEN_LENGTH) throw new InvalidToken('The token is too long');

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key as KeyObject, {
        algorithms: ALGORITHMS,
        issuer: this.config.issuer,
        audience: this.config.audience,
        clockTolerance: this.config.clockSkewSeconds,
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      const reason = JOSE_REASONS[code];
      if (reason) throw new InvalidToken(reason);
      if (this.config.keys.kind === 'jwks')
        throw new IdentityProviderUnavailable('The identity provider keys could not be fetched');
      throw new InvalidToken('The token is malformed');
    }

    if (!storable(payload.sub, 255)) throw new InvalidToken('The token subject is not valid');
    const subject = canonicalSubject(payload.sub);
    const client = payload.azp ?? payload.client_id;
    const clientId = storable(client, 255) ? client : undefined;
    const expires = (payload.exp as number) * 1000 + this.config.clockSkewSeconds * 1000;
    const principal: Principal = {
      subject,
      clientId,
      key: principalKey(subject, clientId),
      roles: rolesIn(claimAt(payload, this.config.rolesClaim)),
      customerId: customerIdOf(subject),
      validUntil: expires,
    };
    this.remember(token, principal, Math.min(expires, now + CACHE_MS));
    return principal;
  }

  /** Bounded by count and by the characters of the tokens kept (a token may be 8 KiB): the oldest used go first. */
  private remember(token: string, principal: Principal, until: number): void {
    while (
      this.verified.size > 0 &&
      (this.verified.size >= CACHE_SIZE || this.cachedBytes + token.length > CACHE_CHARS)
    ) {
      const oldest = this.verified.keys().next().value!;
      this.verified.delete(oldest);
      this.cachedBytes -= oldest.length;
    }
    this.verified.set(token, { principal, until });
    this.cachedBytes += token.length;
  }
}
