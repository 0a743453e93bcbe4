import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ReadsFrom } from '../http/consistency.guard.js';
import { dayRange, DayRangeParams, dayRangeRules } from '../http/day-range.params.js';
import { ValidationProblemResponse } from '../http/problem.js';
import { ApiConsistencyTimeoutResponse } from '../http/read-responses.js';
import { DailyVolumeReport } from './queries/get-daily-volume/daily-volume.response.js';
import { GetDailyVolumeQuery } from './queries/get-daily-volume/get-daily-volume.query.js';

@ApiTags('reports')
@Controller('reports')
export class ReportsController {
  constructor(private readonly queries: QueryBus) {}

  @Get('daily-volume')
  @ReadsFrom('account-daily-volume')
  @ApiOperation({
    summary: 'Deposits, withdrawals and refused withdrawals per UTC day and currency',
    description: `${dayRangeRules("the events'")} Sums are integer minor units of each currency.`,
  })
  @ApiOkResponse({ type: DailyVolumeReport })
  @ApiBadRequestResponse({
    type: ValidationProblemResponse,
    description: 'A date is not YYYY-MM-DD, `from` is after `to`, or the range is too long',
  })
  @ApiConsistencyTimeoutResponse()
  dailyVolume(@Query() params: DayRangeParams): Promise<DailyVolumeReport> {
    const { from, to } = dayRange(params);
    return this.queries.execute(new GetDailyVolumeQuery(from, to));
  }
}
