import { loadConfig } from '../../src/config/config.js';
import { DevelopmentIssuer, type DevelopmentToken } from '../../src/identity/development-issuer.js';
import type { Role } from '../../src/identity/principal.js';

const keys = loadConfig({ NODE_ENV: 'test' }).auth.keys;
if (keys.kind !== 'development')
  throw new Error('the tests sign tokens with the development issuer');

/** The issuer the test apps trust (NODE_ENV=test without AUTH_*: the development issuer in .data/dev-issuer). */
export const issuer = DevelopmentIssuer.open(keys.dir);

/** A bearer token for `sub` with these roles, as the development issuer signs it. */
export function tokenFor(
  sub: string,
  roles: readonly Role[],
  options: Omit<DevelopmentToken, 'sub' | 'roles'> = {},
): string {
  return issuer.issue({ sub, roles, ...options });
}

export const bearer = (token: string) => `Bearer ${token}`;

/**
 * Who the suites act as unless they say otherwise: one customer who also holds every staff role, so that a suite
 * about something else (projections, idempotency) is not about access. Access itself is tested with single roles.
 */
export const TEST_CUSTOMER = '0c3f2a1e-5b7d-4e69-8a10-7d2c4b6e9f01';
export const EVERY_ROLE: readonly Role[] = ['customer', 'teller', 'auditor', 'admin'];
export const DEFAULT_TOKEN = tokenFor(TEST_CUSTOMER, EVERY_ROLE, { expiresIn: 24 * 3600 });

/** A customer's own token (customer role only). */
export const customerToken = (customerId: string) => tokenFor(customerId, ['customer']);
