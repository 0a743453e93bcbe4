import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { LagHistory } from './lag-history.js';
import { ProjectionRunner } from './projection-runner.service.js';
import { ProjectionTrigger } from './projection-trigger.handler.js';
import { ProjectionsController } from './projections.controller.js';

@Global()
@Module({
  imports: [DiscoveryModule],
  controllers: [ProjectionsController],
  providers: [ProjectionRunner, ProjectionTrigger, LagHistory],
  exports: [ProjectionRunner],
})
export class ProjectionsModule {}
