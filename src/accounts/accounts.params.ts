import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ConsistentReadParams } from '../http/consistent-read.params.js';

/** Stream versions are int4 in PostgreSQL: a larger cursor would reach the database as an out-of-range error. */
const MAX_VERSION = 2_147_483_647;

export class TransactionsParams extends ConsistentReadParams {
  @ApiPropertyOptional({ example: 50, minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({
    example: 0,
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

export class EventsParams extends ConsistentReadParams {
  @ApiPropertyOptional({ example: 1, minimum: 1, maximum: MAX_VERSION, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_VERSION)
  fromVersion?: number;

  @ApiPropertyOptional({ example: 100, minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}
