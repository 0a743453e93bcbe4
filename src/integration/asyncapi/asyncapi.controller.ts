import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { IntegrationEventRegistry } from '../integration-event-registry.js';
import { asyncApiDocument } from './asyncapi-document.js';

@ApiTags('operations')
@Controller()
export class AsyncApiController {
  private document?: Record<string, unknown>;

  constructor(
    private readonly registry: IntegrationEventRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('asyncapi.json')
  @Header('Content-Type', 'application/json; charset=utf-8')
  @ApiOperation({
    summary: 'The AsyncAPI 3 document of the integration events published to NATS JetStream',
    description:
      'Every subject, its headers and payload schema: the public contract of the relay, served whether this ' +
      'instance relays (NATS_URL) or not.',
  })
  @ApiOkResponse({
    schema: {
      type: 'object',
      required: ['asyncapi', 'info', 'channels', 'operations', 'components'],
      properties: {
        asyncapi: { type: 'string', example: '3.0.0' },
        info: { type: 'object' },
        channels: { type: 'object' },
        operations: { type: 'object' },
        components: { type: 'object' },
      },
      additionalProperties: true,
    },
  })
  asyncApi(): Record<string, unknown> {
    // Built on first request: every context has registered its contract by then.
    this.document ??= asyncApiDocument(this.registry.contracts, this.config.integration);
    return this.document;
  }
}
