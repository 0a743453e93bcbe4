import { Controller, Get, HttpCode, ServiceUnavailableException } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DatabaseHealth } from '../database/database-health.js';
import { databaseUnavailable, HttpProblem, ProblemResponse } from '../http/problem.js';
import { databaseState, Readiness } from './readiness.js';

class HealthResponse {
  @ApiProperty({ example: 'ok' })
  status: 'ok';

  @ApiProperty({ example: 'up' })
  database: 'up';
}

class DatabaseDownProblem extends ProblemResponse {
  @ApiPropertyOptional({
    example: 'down',
    description:
      'Set when this check found the database down (absent when the check ran out of time)',
  })
  database?: 'down';

  @ApiPropertyOptional({
    example: '2026-12-06T05:30:53.120Z',
    format: 'date-time',
    description: 'When the outage began, once the app has found the database not answering',
  })
  since?: string;
}

const CHECKS_EXAMPLE = {
  database: { status: 'up' },
  projections: {
    status: 'up',
    maxLagMs: 30000,
    projections: { 'account-balance': { status: 'live', lagMs: 0 } },
  },
};

class ProbeResponse {
  @ApiProperty({ example: 'ok', enum: ['ok'] })
  status: 'ok';

  @ApiProperty({
    description: 'Each check (`status`: up) and what it found; {} for liveness',
    example: CHECKS_EXAMPLE,
  })
  details: Record<string, unknown>;
}

class NotReadyProblem extends ProblemResponse {
  @ApiPropertyOptional({
    description:
      'With not-ready: each check (database; projections; broker when NATS_URL is set) with `status` up or down and why; {} while shutting down',
    example: { ...CHECKS_EXAMPLE, database: { status: 'down', since: '2026-12-06T05:30:53.120Z' } },
  })
  checks?: Record<string, unknown>;
}

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly health: DatabaseHealth,
    private readonly terminus: HealthCheckService,
    private readonly readiness: Readiness,
  ) {}

  @Get()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Liveness and database reachability',
    description:
      'During an outage: 503 database-unavailable with `database: "down"` and `since`, answered at once.',
  })
  @ApiOkResponse({ type: HealthResponse })
  @ApiServiceUnavailableResponse({
    type: DatabaseDownProblem,
    description: 'database-unavailable: the database does not answer (Retry-After)',
  })
  async check(): Promise<HealthResponse> {
    const state = await databaseState(this.db, this.health);
    if (state.status === 'down')
      throw down(state.since ? { since: state.since.toISOString() } : {});
    return { status: 'ok', database: 'up' };
  }

  @Get('live')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Liveness probe: the process answers (no database call)',
    description:
      'For a liveness probe: restart the instance when it does not answer. 503 not-ready only while it shuts down.',
  })
  @ApiOkResponse({ type: ProbeResponse })
  @ApiServiceUnavailableResponse({
    type: NotReadyProblem,
    description: 'not-ready: the instance is shutting down',
  })
  live(): Promise<ProbeResponse> {
    return this.probe([]);
  }

  @Get('ready')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Readiness probe: database, projections, broker',
    description:
      'For a readiness probe (route traffic here or not): 503 not-ready while the database does not answer, while a ' +
      'projection this instance runs (RUN_PROJECTIONS) is stopped or failed or lags more than READINESS_MAX_LAG_MS, ' +
      'while NATS (when NATS_URL is set) is not connected, and while the instance shuts down.',
  })
  @ApiOkResponse({ type: ProbeResponse })
  @ApiServiceUnavailableResponse({
    type: NotReadyProblem,
    description: 'not-ready: `checks` says which check is down and why',
  })
  ready(): Promise<ProbeResponse> {
    const broker = this.readiness.broker;
    return this.probe([
      () => this.readiness.database(),
      () => this.readiness.projectionsCheck(),
      ...(broker ? [broker] : []),
    ]);
  }

  /** Terminus' 503 (its own body) as our problem+json. */
  private async probe(checks: Parameters<HealthCheckService['check']>[0]): Promise<ProbeResponse> {
    try {
      const { details } = await this.terminus.check(checks);
      return { status: 'ok', details };
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as HealthCheckResult;
      const failed = Object.keys(result.error ?? {});
      throw new HttpProblem({
        status: 503,
        code: 'not-ready',
        detail:
          result.status === 'shutting_down'
            ? 'The instance is shutting down'
            : `Not ready: ${failed.join(', ')} down`,
        extensions: { checks: result.details ?? {} },
      });
    }
  }
}

function down(extensions: Record<string, unknown> = {}): HttpProblem {
  const { body, headers } = databaseUnavailable();
  return new HttpProblem({
    status: 503,
    code: 'database-unavailable',
    detail: body.detail!,
    extensions: { database: 'down', ...extensions },
    headers,
  });
}
