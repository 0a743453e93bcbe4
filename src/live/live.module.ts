import { Module } from '@nestjs/common';
import { LiveFeed } from './live-feed.js';
import { LiveController } from './live.controller.js';

/** Live subscriptions over HTTP (Server-Sent Events), all served by one tail of the log per process. */
@Module({
  controllers: [LiveController],
  providers: [LiveFeed],
  exports: [LiveFeed],
})
export class LiveModule {}
