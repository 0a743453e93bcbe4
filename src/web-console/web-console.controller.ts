import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { APP_CONFIG, type AppConfig } from '../config/config.js';

class ConsoleConfigResponse {
  @ApiProperty({
    example: true,
    description:
      'Whether tokens come from the local development issuer (no AUTH_JWKS_URL or AUTH_PUBLIC_KEY): the sign-in page then shows `npm run token`',
  })
  development: boolean;
}

/** What the web console (served at /console/) needs to know before anyone signs in. */
@ApiTags('operations')
@Controller('console')
export class WebConsoleController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get('config.json')
  @ApiOperation({
    summary: "The web console's settings (public)",
    description:
      'Read by the console at /console/ before sign-in. The console itself is static files under /console/ ' +
      '(not in this document): index.html and hashed assets, no token needed; its API calls carry the bearer token.',
  })
  @ApiOkResponse({ type: ConsoleConfigResponse })
  settings(): ConsoleConfigResponse {
    return { development: this.config.auth.keys.kind === 'development' };
  }
}
