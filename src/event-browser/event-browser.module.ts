import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { projectionOf } from '../projections/index.js';
import { CorrelationKeys } from './correlation-keys.js';
import { EventBrowserController } from './event-browser.controller.js';
import { CorrelationEvent } from './projections/correlation-event.entity.js';
import { correlationEvents } from './projections/correlation-events.projection.js';
import { StreamCatalogEntry } from './projections/stream-catalog.entity.js';
import { streamCatalog } from './projections/stream-catalog.projection.js';
import { GetCorrelatedEventsHandler } from './queries/get-correlated-events/get-correlated-events.handler.js';
import { GetStreamEventsHandler } from './queries/get-stream-events/get-stream-events.handler.js';
import { SearchStreamsHandler } from './queries/search-streams/search-streams.handler.js';

/** The log as the console browses it; domain-agnostic: its projections read every event of every context. */
@Module({
  imports: [TypeOrmModule.forFeature([StreamCatalogEntry, CorrelationEvent])],
  controllers: [EventBrowserController],
  providers: [
    CorrelationKeys,
    projectionOf(streamCatalog),
    projectionOf(correlationEvents, { inject: [CorrelationKeys] }),
    SearchStreamsHandler,
    GetStreamEventsHandler,
    GetCorrelatedEventsHandler,
  ],
})
export class EventBrowserModule {}
