import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, Matches, Max, Min } from 'class-validator';
import { ConsistentReadParams } from '../http/consistent-read.params.js';
import { stacked } from '../http/stacked.js';

/** Stream versions are int4 in PostgreSQL: a larger cursor would reach the database as an out-of-range error. */
const MAX_VERSION = 2_147_483_647;

/** The first version of a page of a stream: the history and the raw events read it alike. */
const FromVersion = () =>
  stacked(
    ApiPropertyOptional({ minimum: 1, maximum: MAX_VERSION, default: 1 }),
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(1),
    Max(MAX_VERSION),
  );

const StreamPageLimit = () =>
  stacked(
    ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 }),
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(1),
    Max(1000),
  );

export class TransactionsParams extends ConsistentReadParams {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({
    description: 'Cursor from the previous page (`nextCursor`)',
    default: 0,
    maximum: MAX_VERSION,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_VERSION)
  after?: number;
}

/** An ISO-8601 instant: date, time and a zone (Z or an offset). */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export class AccountParams extends ConsistentReadParams {
  @ApiPropertyOptional({
    format: 'date-time',
    description:
      'Time travel: the account as it was at this instant (e.g. 2026-11-22T09:00:00Z), rebuilt from its events ' +
      '(not the read model). ' +
      'Not with atVersion. Before the account was opened: 404 account-not-yet-opened',
  })
  @IsOptional()
  @Matches(INSTANT, {
    message: 'asOf must be an ISO-8601 instant with a time zone, e.g. 2026-11-22T09:00:00Z',
  })
  @IsISO8601({ strict: true }, { message: 'asOf must be a valid date and time' })
  asOf?: string;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_VERSION,
    description:
      'Time travel: the account right after the event at this stream version, rebuilt from its events. ' +
      'Not with asOf. Past the current version: 404 account-version-not-found',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_VERSION)
  atVersion?: number;
}

export class HistoryParams {
  @FromVersion()
  fromVersion?: number;

  @StreamPageLimit()
  limit?: number;
}

export class EventsParams extends ConsistentReadParams {
  @FromVersion()
  fromVersion?: number;

  @StreamPageLimit()
  limit?: number;
}
