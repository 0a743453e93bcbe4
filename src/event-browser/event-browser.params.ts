import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { stacked } from '../http/stacked.js';

/** Stream versions are int4 in PostgreSQL: a larger cursor would reach the database as an out-of-range error. */
const MAX_VERSION = 2_147_483_647;
/** Longer than any stream id, category or event type the contexts write. */
const MAX_TEXT = 500;

const Limit = () =>
  stacked(
    ApiPropertyOptional({ minimum: 1, maximum: 100, default: 50 }),
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(1),
    Max(100),
  );

const Text = (description: string) =>
  stacked(
    ApiPropertyOptional({ description: `${description}; empty: any`, maxLength: MAX_TEXT }),
    IsOptional(),
    IsString(),
    MaxLength(MAX_TEXT),
  );

export class StreamSearchParams {
  @Text('The start of the stream id, e.g. `account-` or `order-9c1c`')
  prefix?: string;

  @Text("The part of the stream id before its first '-', e.g. `account`")
  category?: string;

  @Text('Streams that hold at least one event of this type, e.g. `MoneyWithdrawn`')
  type?: string;

  @Text('The last stream id of the previous page (`next`)')
  after?: string;

  @Limit()
  limit?: number;
}

export class StreamEventsParams {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_VERSION, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_VERSION)
  fromVersion?: number;

  @Limit()
  limit?: number;
}

export class CorrelatedEventsParams {
  @ApiPropertyOptional({
    description: 'The last global position seen (`next` of the previous page)',
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    default: 0,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  after?: number;

  @Limit()
  limit?: number;
}
