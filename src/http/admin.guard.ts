import { timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { HttpProblem } from './problem.js';

/** /admin needs `Authorization: Bearer $ADMIN_TOKEN`; without a token it is open outside production only. */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.config.adminToken;
    if (!expected) {
      if (this.config.nodeEnv !== 'production') return true;
      throw new HttpProblem(403, 'admin-disabled', 'Set ADMIN_TOKEN to use the admin endpoints');
    }
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    // Only the Bearer scheme (RFC 6750): a bare token or another scheme is refused, never read as the token.
    const given = Buffer.from(/^Bearer +(.+)$/i.exec(header)?.[1] ?? '');
    const wanted = Buffer.from(expected);
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
      throw new HttpProblem(
        401,
        'unauthorized',
        'The admin endpoints need Authorization: Bearer <ADMIN_TOKEN>',
        {},
        {
          'WWW-Authenticate': 'Bearer',
        },
      );
    }
    return true;
  }
}
