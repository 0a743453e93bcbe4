import { Controller, Get, HttpCode } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { isDatabaseUnavailable } from '../database/database-errors.js';
import { DatabaseHealth } from '../database/database-health.js';
import { databaseUnavailable, HttpProblem, ProblemResponse } from '../http/problem.js';

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

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly health: DatabaseHealth,
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
    const state = this.health.state;
    if (state.status === 'down') throw down({ since: state.since.toISOString() });
    try {
      await this.db.query('SELECT 1');
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      throw down();
    }
    this.health.answered();
    return { status: 'ok', database: 'up' };
  }
}

function down(extensions: Record<string, unknown> = {}): HttpProblem {
  const { body, headers } = databaseUnavailable();
  return new HttpProblem(
    503,
    'database-unavailable',
    body.detail!,
    {
      database: 'down',
      ...extensions,
    },
    headers,
  );
}
