import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';
import { Readiness } from './readiness.js';

/** /health, /health/live and /health/ready. */
@Module({
  // No log line per failed probe (an orchestrator asks every few seconds): DatabaseHealth logs an outage once.
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [Readiness],
})
export class HealthModule {}
