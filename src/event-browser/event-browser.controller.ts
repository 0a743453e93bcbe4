import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import {
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { ProblemResponse } from '../http/problem.js';
import {
  CorrelatedEventsParams,
  StreamEventsParams,
  StreamSearchParams,
} from './event-browser.params.js';
import { CorrelatedEventsPage } from './queries/get-correlated-events/correlated-events.response.js';
import { GetCorrelatedEventsQuery } from './queries/get-correlated-events/get-correlated-events.query.js';
import { GetStreamEventsQuery } from './queries/get-stream-events/get-stream-events.query.js';
import { StreamEventsPage } from './queries/get-stream-events/stream-events.response.js';
import { SearchStreamsQuery } from './queries/search-streams/search-streams.query.js';
import { StreamsPage } from './queries/search-streams/streams-page.response.js';

const DEFAULT_PAGE = 50;

/** The log as the console browses it: streams, a stream's events, the events of one correlation id. */
@ApiTags('event browser')
@Controller()
export class EventBrowserController {
  constructor(private readonly queries: QueryBus) {}

  @Get('streams')
  @ApiOperation({
    summary:
      'Streams by id prefix, category and event type, ordered by stream id, a page at a time',
    description: 'From the stream catalog, a projection of the whole log.',
  })
  @ApiOkResponse({ type: StreamsPage })
  search(@Query() params: StreamSearchParams): Promise<StreamsPage> {
    const { prefix, category, type, after, limit = DEFAULT_PAGE } = params;
    // A form's empty field (`?prefix=&type=`) filters nothing.
    const given = (text?: string) => text || undefined;
    return this.queries.execute(
      new SearchStreamsQuery({
        prefix: given(prefix),
        category: given(category),
        type: given(type),
        after: given(after),
        limit,
      }),
    );
  }

  @Get('streams/:streamId/events')
  @ApiOperation({
    summary: "A stream's events, oldest first, a page at a time",
    description:
      'As stored, personal data decrypted (or marked erased), like GET /accounts/{id}/events, for any stream.',
  })
  @ApiParam({ name: 'streamId', example: 'account-0b6f1f7e-2c1d-4a4e-9d7b-3f0e5a1c2b9d' })
  @ApiOkResponse({ type: StreamEventsPage })
  @ApiNotFoundResponse({
    type: ProblemResponse,
    description: 'stream-not-found: no event in the log has this stream id',
  })
  streamEvents(
    @Param('streamId') streamId: string,
    @Query() params: StreamEventsParams,
  ): Promise<StreamEventsPage> {
    const { fromVersion = 1, limit = DEFAULT_PAGE } = params;
    return this.queries.execute(new GetStreamEventsQuery({ streamId, fromVersion, limit }));
  }

  @Get('correlations/:correlationId/events')
  @ApiOperation({
    summary:
      'Every event carrying this correlation id in its metadata, across streams, in global order',
    description:
      'From the correlation index, a projection of the whole log; none found: an empty page. As stored, ' +
      'personal data decrypted (or marked erased).',
  })
  @ApiParam({ name: 'correlationId', example: '8c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f' })
  @ApiOkResponse({ type: CorrelatedEventsPage })
  correlatedEvents(
    @Param('correlationId') correlationId: string,
    @Query() params: CorrelatedEventsParams,
  ): Promise<CorrelatedEventsPage> {
    const { after = 0, limit = DEFAULT_PAGE } = params;
    return this.queries.execute(new GetCorrelatedEventsQuery({ correlationId, after, limit }));
  }
}
