import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { PostgresEventStore } from '../event-store/index.js';
import { type Access, Caller } from '../identity/index.js';
import { LiveFeed } from './live-feed.js';
import { ApiLiveStream } from './live-responses.js';
import { filterOf, LiveEventsParams } from './live.params.js';

@ApiTags('live')
@Controller('events')
export class LiveController {
  constructor(
    private readonly feed: LiveFeed,
    private readonly store: PostgresEventStore,
  ) {}

  @Get('live')
  @ApiOperation({
    summary:
      'Every event as it commits, in global order, as Server-Sent Events; filtered by types, category and stream',
  })
  @ApiLiveStream()
  async events(
    @Query() params: LiveEventsParams,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Caller() caller: Access,
    @Res() response: Response,
  ): Promise<void> {
    const filter = filterOf(params, (type) => this.knows(type));
    await this.feed.follow(response, { caller, filter, after: params.after, lastEventId });
  }

  private knows(type: string): boolean {
    try {
      this.store.registry.definitionOf(type);
      return true;
    } catch {
      return false;
    }
  }
}
