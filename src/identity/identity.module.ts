import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { AccessGuard } from './access.guard.js';
import { TokenVerifier } from './token-verifier.js';

/** Who is calling (bearer tokens) and what they may do (ACCESS_POLICY), for every route. */
@Global()
@Module({
  providers: [
    {
      provide: TokenVerifier,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new TokenVerifier(config.auth),
    },
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
  exports: [TokenVerifier],
})
export class IdentityModule {}
