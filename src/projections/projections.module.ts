import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AdminGuard } from '../http/admin.guard.js';
import { ProjectionRunner } from './projection-runner.service.js';
import { ProjectionTrigger } from './projection-trigger.handler.js';
import { ProjectionsController } from './projections.controller.js';

@Global()
@Module({
  imports: [DiscoveryModule],
  controllers: [ProjectionsController],
  providers: [ProjectionRunner, ProjectionTrigger, AdminGuard],
  exports: [ProjectionRunner],
})
export class ProjectionsModule {}
