import { randomBytes } from 'node:crypto';
import type { ExecutionContext } from '@nestjs/common';
import { loadConfig } from '../config/config.js';
import { AdminGuard } from './admin.guard.js';
import { HttpProblem } from './problem.js';

/** Production needs a master key; the guard does not use it. */
const CHRONICLE_MASTER_KEY = randomBytes(32).toString('base64');

const withAuthorization = (authorization?: string) =>
  ({
    switchToHttp: () => ({ getRequest: () => ({ headers: { authorization } }) }),
  }) as unknown as ExecutionContext;

const refusal = (guard: AdminGuard, authorization?: string) => {
  try {
    guard.canActivate(withAuthorization(authorization));
  } catch (error) {
    return error instanceof HttpProblem ? [error.status, error.code] : error;
  }
  return 'allowed';
};

describe('AdminGuard', () => {
  it('is open without a token in development, closed in production', () => {
    expect(refusal(new AdminGuard(loadConfig({ NODE_ENV: 'development' })))).toBe('allowed');
    expect(
      refusal(new AdminGuard(loadConfig({ NODE_ENV: 'production', CHRONICLE_MASTER_KEY }))),
    ).toEqual([403, 'admin-disabled']);
  });

  it('needs exactly the bearer token once one is set', () => {
    const guard = new AdminGuard(
      loadConfig({
        NODE_ENV: 'production',
        ADMIN_TOKEN: 'a-long-enough-secret',
        CHRONICLE_MASTER_KEY,
      }),
    );
    expect(refusal(guard, 'Bearer a-long-enough-secret')).toBe('allowed');
    expect(refusal(guard)).toEqual([401, 'unauthorized']);
    expect(refusal(guard, 'Bearer a-long-enough-secreT')).toEqual([401, 'unauthorized']);
    expect(refusal(guard, 'Bearer a-long-enough')).toEqual([401, 'unauthorized']);
  });

  it('takes the token only as Authorization: Bearer <token>', () => {
    const guard = new AdminGuard(
      loadConfig({ NODE_ENV: 'test', ADMIN_TOKEN: 'a-long-enough-secret' }),
    );
    expect(refusal(guard, 'bearer a-long-enough-secret')).toBe('allowed');
    for (const other of [
      'a-long-enough-secret',
      'Basic a-long-enough-secret',
      'Token a-long-enough-secret',
      'Bearera-long-enough-secret',
      'Bearer a-long-enough-secret extra',
    ]) {
      expect(refusal(guard, other)).toEqual([401, 'unauthorized']);
    }
  });
});
