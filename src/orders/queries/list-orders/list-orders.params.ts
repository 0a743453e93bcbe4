import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { ConsistentReadParams } from '../../../http/consistent-read.params.js';
import { ORDER_VIEW_STATUSES, type OrderViewStatus } from '../../projections/order-view.entity.js';

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 500;

export class ListOrdersParams extends ConsistentReadParams {
  @ApiPropertyOptional({ enum: ORDER_VIEW_STATUSES, description: 'Only orders in this status' })
  @IsOptional()
  @IsIn(ORDER_VIEW_STATUSES, {
    message: `status must be one of ${ORDER_VIEW_STATUSES.join(', ')}`,
  })
  status?: OrderViewStatus;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_PAGE,
    default: DEFAULT_PAGE,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE)
  limit?: number;

  @ApiPropertyOptional({
    default: 0,
    description:
      'Cursor from the previous page (`nextCursor`); orders come in the order they were placed',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  after?: number;
}
