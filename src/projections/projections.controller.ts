import { Body, Controller, Get, HttpCode, Logger, Param, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiHeader,
  ApiOperation,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import { IDEMPOTENCY_KEY_HEADER } from '../http/request-context.js';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { ProblemResponse, ValidationProblemResponse } from '../http/problem.js';
import { LAG_SAMPLE_INTERVAL_MS, LagHistory } from './lag-history.js';
import { ProjectionRunner } from './projection-runner.service.js';
import type { ProjectionState, ProjectionStatus } from './projection-status.js';

class CheckpointResponse {
  @ApiProperty({ example: '7812', description: 'Transaction id (xid8) of the last event applied' })
  transactionId: string;
  @ApiProperty({ example: 120345 })
  position: number;
}

class ProjectionOwnerResponse {
  @ApiProperty({ example: 'chronicle host:4242', description: 'application_name of its session' })
  instance: string;
  @ApiProperty({ example: 9812, description: 'Backend pid of the session holding the lease' })
  pid: number;
}

class RebuildProgressResponse {
  @ApiProperty({ type: CheckpointResponse })
  checkpoint: CheckpointResponse;
  @ApiProperty({ example: '2026-11-22T09:00:00.000Z', format: 'date-time' })
  startedAt: string;
}

class HorizonHolderResponse {
  @ApiProperty({ example: 4242 })
  pid: number;
  @ApiProperty({ example: '2026-11-22T09:00:00.000Z', format: 'date-time' })
  since: string;
  @ApiProperty({ type: String, nullable: true, example: 'idle in transaction' })
  state: string | null;
}

class ProjectionStatusResponse implements ProjectionStatus {
  @ApiProperty({ example: 'accounts' })
  name: string;
  @ApiProperty({
    enum: ['catching-up', 'live', 'rebuilding', 'failed', 'stopped'],
    description: '`stopped`: no running instance holds its lease',
  })
  status: ProjectionState;
  @ApiProperty({ type: CheckpointResponse })
  checkpoint: CheckpointResponse;
  @ApiProperty({ example: 120400 })
  headPosition: number;
  @ApiProperty({ example: 55, description: 'Committed events not applied yet' })
  lagEvents: number;
  @ApiProperty({ example: 12, description: 'Age of the oldest event not applied yet' })
  lagMs: number;
  @ApiProperty({ description: 'Events applied by the instance answering, since it started' })
  processed: number;
  @ApiProperty({ type: String, nullable: true })
  lastError: string | null;
  @ApiProperty({ type: ProjectionOwnerResponse, nullable: true, description: 'null: stopped' })
  owner: ProjectionOwnerResponse | null;
  @ApiProperty({
    type: RebuildProgressResponse,
    nullable: true,
    description: 'Progress of the rebuild in flight',
  })
  rebuild: RebuildProgressResponse | null;
  @ApiProperty({
    type: HorizonHolderResponse,
    nullable: true,
    description:
      'The backend whose open transaction holds committed events behind the read horizon',
  })
  horizonHeldBy: HorizonHolderResponse | null;
}

class ProjectionsResponse {
  @ApiProperty({ type: [ProjectionStatusResponse] })
  projections: ProjectionStatusResponse[];
}

class LagSampleResponse {
  @ApiProperty({ example: '2026-11-22T09:00:05.000Z', format: 'date-time' }) at: string;
  @ApiProperty({
    example: 3,
    description:
      'Events committed after its checkpoint, of any type (an upper bound of what it has left to apply)',
  })
  lagEvents: number;
  @ApiProperty({ example: 12, description: 'Age of the first event after its checkpoint' })
  lagMs: number;
  @ApiProperty({ example: 120345, description: 'Global position of its checkpoint' })
  position: number;
}

class ProjectionLagHistoryResponse {
  @ApiProperty({ example: 'accounts' }) name: string;
  @ApiProperty({ type: [LagSampleResponse], description: 'Oldest first' })
  samples: LagSampleResponse[];
}

class LagHistoryResponse {
  @ApiProperty({ example: LAG_SAMPLE_INTERVAL_MS, description: 'Milliseconds between two samples' })
  intervalMs: number;
  @ApiProperty({ type: [ProjectionLagHistoryResponse] })
  projections: ProjectionLagHistoryResponse[];
}

class DeadLetterResponse {
  @ApiProperty() id: number;
  @ApiProperty({ format: 'uuid' }) eventId: string;
  @ApiProperty() position: number;
  @ApiProperty() eventType: string;
  @ApiProperty() error: string;
  @ApiProperty() attempts: number;
  @ApiProperty({ format: 'date-time' }) failedAt: string;
  @ApiProperty({ type: String, enum: ['retried', 'skipped'], nullable: true })
  resolution: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) resolvedAt: string | null;
}

class SkipRequest {
  @ApiProperty({ description: 'Global position of the dead-lettered event to skip', example: 4711 })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  position: number;
}

class RebuildAccepted {
  @ApiProperty({ example: 'accounts' }) projection: string;
  @ApiProperty({ example: 'rebuilding' }) status: string;
  @ApiProperty({ example: '/admin/projections' }) statusUrl: string;
}

/** Operating the read side: status and lag, dead letters, retry or skip, zero-downtime rebuilds. */
@ApiTags('admin')
@Controller('admin/projections')
export class ProjectionsController {
  private readonly logger = new Logger(ProjectionsController.name);

  constructor(
    private readonly runner: ProjectionRunner,
    private readonly lagHistory: LagHistory,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Every projection: status, checkpoint, lag, owner, last error' })
  @ApiOkResponse({ type: ProjectionsResponse })
  async list(): Promise<ProjectionsResponse> {
    return { projections: await this.runner.status() };
  }

  @Get('lag-history')
  @ApiOperation({
    summary: "Every projection's lag over the last 15 minutes, sampled every 5 s",
    description:
      'Samples taken by the instance answering, kept in its memory: another instance (or this one after a ' +
      'restart) has its own.',
  })
  @ApiOkResponse({ type: LagHistoryResponse })
  lagHistoryOf(): LagHistoryResponse {
    return { intervalMs: LAG_SAMPLE_INTERVAL_MS, projections: this.lagHistory.history() };
  }

  @Get(':name/dead-letters')
  @ApiOperation({ summary: 'Events the projection could not apply (latest 100)' })
  @ApiOkResponse({ type: [DeadLetterResponse] })
  @ApiNotFoundResponse({ type: ProblemResponse, description: 'unknown-projection' })
  deadLetters(@Param('name') name: string): Promise<DeadLetterResponse[]> {
    return this.runner.deadLetters(name);
  }

  @Post(':name/rebuild')
  @ApiHeader(IDEMPOTENCY_KEY_HEADER)
  @HttpCode(202)
  @ApiOperation({
    summary: 'Rebuild from the start of the log into shadow tables, then swap them in',
    description: 'Queries keep reading the current tables until the atomic swap.',
  })
  @ApiAcceptedResponse({ type: RebuildAccepted })
  @ApiNotFoundResponse({ type: ProblemResponse, description: 'unknown-projection' })
  @ApiConflictResponse({
    type: ProblemResponse,
    description: 'rebuild-in-progress: a rebuild is already running',
  })
  async rebuild(@Param('name') name: string): Promise<RebuildAccepted> {
    const { done } = await this.runner.startRebuild(name);
    done.then(
      () => this.logger.log(`Projection ${name} rebuilt and swapped in`),
      (error) => this.logger.error(`Rebuild of projection ${name} failed: ${String(error)}`),
    );
    return { projection: name, status: 'rebuilding', statusUrl: '/admin/projections' };
  }

  @Post(':name/retry')
  @ApiHeader(IDEMPOTENCY_KEY_HEADER)
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume a failed projection at the event it stopped at' })
  @ApiOkResponse({ type: ProjectionStatusResponse })
  @ApiNotFoundResponse({ type: ProblemResponse, description: 'unknown-projection' })
  async retry(@Param('name') name: string): Promise<ProjectionStatus> {
    await this.runner.retry(name);
    return this.statusOf(name);
  }

  @Post(':name/skip')
  @ApiHeader(IDEMPOTENCY_KEY_HEADER)
  @HttpCode(200)
  @ApiOperation({ summary: 'Move a failed projection past the one event it stopped at (recorded)' })
  @ApiOkResponse({ type: ProjectionStatusResponse })
  @ApiNotFoundResponse({ type: ProblemResponse, description: 'unknown-projection' })
  @ApiBadRequestResponse({
    type: ValidationProblemResponse,
    description: 'validation-failed, or unknown-position: no event is stored at that position',
  })
  @ApiConflictResponse({
    type: ProblemResponse,
    description: 'nothing-to-skip: it is not stopped at that event',
  })
  async skip(@Param('name') name: string, @Body() body: SkipRequest): Promise<ProjectionStatus> {
    await this.runner.skip(name, body.position);
    return this.statusOf(name);
  }

  private async statusOf(name: string): Promise<ProjectionStatus> {
    return (await this.runner.status()).find((p) => p.name === name)!;
  }
}
