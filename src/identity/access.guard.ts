import {
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  Injectable,
  Logger,
} from '@nestjs/common';
import type { Request } from 'express';
import { HttpProblem } from '../http/problem.js';
import { ACCESS_POLICY, reachOf, type RoutePolicy } from './access-policy.js';
import type { Access } from './principal.js';
import { routeOf } from './route-of.js';
import { IdentityProviderUnavailable, InvalidToken, TokenVerifier } from './token-verifier.js';

const ACCESS = Symbol('chronicle.access');
type WithAccess = Request & { [ACCESS]?: Access };

const CHALLENGE = 'Bearer realm="chronicle"';

function unauthorized(detail: string, error?: string): HttpProblem {
  const challenge = error
    ? `${CHALLENGE}, error="${error}", error_description="${detail}"`
    : CHALLENGE;
  return new HttpProblem({
    status: 401,
    code: 'unauthorized',
    detail,
    headers: { 'WWW-Authenticate': challenge },
  });
}

/**
 * Every request but the public routes' carries a verified bearer token, and its roles must allow the route
 * (ACCESS_POLICY). The outcome, who and how far they reach, is kept on the request for the handlers (`@Caller()`).
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly logger = new Logger('Access');
  private readonly policies = new WeakMap<object, { route: string; policy?: RoutePolicy }>();

  constructor(private readonly verifier: TokenVerifier) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const { route, policy } = this.policyOf(context);
    if (policy === 'public') return true;
    const request = context.switchToHttp().getRequest<WithAccess>();
    const header = request.headers.authorization;
    if (header === undefined) throw unauthorized('This route needs Authorization: Bearer <token>');
    // RFC 6750: the Bearer scheme, one token; a JWT is base64url, never padded (a padded spelling is refused).
    const token = /^Bearer +([A-Za-z0-9\-._~+/]+) *$/i.exec(header)?.[1];
    if (!token) throw unauthorized('Authorization must be Bearer <token>', 'invalid_request');
    let access: Access | undefined;
    try {
      const principal = await this.verifier.verify(token);
      if (policy === undefined) {
        this.logger.error(`${route} has no rule in ACCESS_POLICY: refused to everyone`);
        throw new HttpProblem({
          status: 403,
          code: 'forbidden',
          detail: 'Nobody may call this route',
        });
      }
      const reach = reachOf(policy, principal.roles);
      if (!reach) {
        const roles = [...principal.roles].join(', ') || 'none';
        throw new HttpProblem({
          status: 403,
          code: 'forbidden',
          detail: `Your roles (${roles}) do not allow ${route}`,
        });
      }
      access = reach === 'own' ? { principal, ownedBy: principal.customerId } : { principal };
    } catch (error) {
      if (error instanceof InvalidToken) throw unauthorized(error.message, 'invalid_token');
      if (error instanceof IdentityProviderUnavailable)
        throw new HttpProblem({
          status: 503,
          code: 'identity-provider-unavailable',
          detail: error.message,
          headers: { 'Retry-After': '5' },
        });
      throw error;
    }
    request[ACCESS] = access;
    return true;
  }

  private policyOf(context: ExecutionContext): { route: string; policy?: RoutePolicy } {
    const handler = context.getHandler();
    let known = this.policies.get(handler);
    if (!known) {
      const route = routeOf(context);
      known = { route, policy: ACCESS_POLICY[route] };
      this.policies.set(handler, known);
    }
    return known;
  }
}

/** The access AccessGuard granted this request; undefined only on a public route. */
export function accessOf(request: Request): Access | undefined {
  return (request as WithAccess)[ACCESS];
}

/** The caller of a route that needs a token: who they are and how far they reach. */
export const Caller = createParamDecorator((_: unknown, context: ExecutionContext): Access => {
  const access = accessOf(context.switchToHttp().getRequest<Request>());
  if (!access) throw new Error('@Caller() on a route without AccessGuard');
  return access;
});
