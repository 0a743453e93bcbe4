import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { UuidParam } from '../http/uuid-param.js';
import { type Access, Caller } from '../identity/index.js';
import { ApiLiveStream, LiveFeed, LiveStartParams } from '../live/index.js';
import { GetAccountStreamQuery } from './queries/get-account-stream/get-account-stream.query.js';

@ApiTags('accounts')
@Controller('accounts')
export class AccountsLiveController {
  constructor(
    private readonly queries: QueryBus,
    private readonly live: LiveFeed,
  ) {}

  @Get(':id/live')
  @ApiOperation({
    summary:
      "The account's events as they commit, as Server-Sent Events, resumable with Last-Event-ID",
  })
  @ApiLiveStream("account-not-found (someone else's account too)")
  async follow(
    @UuidParam('id') id: string,
    @Query() { after }: LiveStartParams,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Caller() caller: Access,
    @Res() response: Response,
  ): Promise<void> {
    const stream = await this.queries.execute<GetAccountStreamQuery, string>(
      new GetAccountStreamQuery(id, caller.ownedBy),
    );
    await this.live.follow(response, { caller, filter: { stream }, after, lastEventId });
  }
}
