import { generateKeyPairSync, sign } from 'node:crypto';
import type { Role } from '../../src/identity/principal.js';

/**
 * The bench's identity provider: an RS256 key pair (what most providers sign with), trusted by the app through
 * AUTH_PUBLIC_KEY as a production deployment would trust its provider's key.
 */
const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
export const BENCH_ISSUER = 'https://identity.bench.chronicle';
export const BENCH_AUDIENCE = 'chronicle-bench';
export const BENCH_PUBLIC_KEY = pair.publicKey;

export const BENCH_AUTH_ENV = {
  AUTH_PUBLIC_KEY: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  AUTH_ISSUER: BENCH_ISSUER,
  AUTH_AUDIENCE: BENCH_AUDIENCE,
};

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** A token as the provider issues it: one per simulated client, valid for the whole run. */
export function benchToken(sub: string, roles: readonly Role[]): string {
  const now = Math.floor(Date.now() / 1000);
  const head = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'bench' }));
  const body = base64url(
    JSON.stringify({
      iss: BENCH_ISSUER,
      aud: BENCH_AUDIENCE,
      sub,
      roles,
      iat: now,
      exp: now + 4 * 3600,
    }),
  );
  return `${head}.${body}.${base64url(sign('sha256', Buffer.from(`${head}.${body}`), pair.privateKey))}`;
}
