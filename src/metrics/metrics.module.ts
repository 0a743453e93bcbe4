import { Global, Module } from '@nestjs/common';
import { CommandTiming } from './command-timing.js';
import { CountAppendedEvents } from './events-appended.handler.js';
import { MetricsController } from './metrics.controller.js';
import { Metrics } from './metrics.service.js';
import { ProjectionMetrics } from './projection-metrics.js';

/** Prometheus metrics at GET /metrics, on a registry of this application's own. */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [Metrics, CommandTiming, CountAppendedEvents, ProjectionMetrics],
  exports: [Metrics],
})
export class MetricsModule {}
