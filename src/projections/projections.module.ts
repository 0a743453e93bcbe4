import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ProjectionRunner } from './projection-runner.service.js';
import { ProjectionTrigger } from './projection-trigger.handler.js';

@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [ProjectionRunner, ProjectionTrigger],
  exports: [ProjectionRunner],
})
export class ProjectionsModule {}
