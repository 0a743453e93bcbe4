import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { DayRangeParams } from '../../../http/day-range.params.js';

export const DEFAULT_PRODUCTS = 100;
export const MAX_PRODUCTS = 1000;

export class CartRemovalsParams extends DayRangeParams {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_PRODUCTS,
    default: DEFAULT_PRODUCTS,
    description: 'The most removed products first; at most this many',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PRODUCTS)
  limit?: number;
}
