import { ApiProperty } from '@nestjs/swagger';
import { ORDER_VIEW_STATUSES, type OrderViewStatus } from '../../projections/order-view.entity.js';

export class OrderSummaryResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: ORDER_VIEW_STATUSES, example: 'shipped' })
  status: OrderViewStatus;

  @ApiProperty({ format: 'uuid' })
  customerId: string;

  @ApiProperty({ format: 'uuid' })
  accountId: string;

  @ApiProperty({ example: 'EUR' })
  currency: string;

  @ApiProperty({ type: 'integer', example: 3998, description: 'Minor units' })
  total: number;

  @ApiProperty({ format: 'date-time' })
  placedAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class OrdersPage {
  @ApiProperty({ type: [OrderSummaryResponse] })
  items: OrderSummaryResponse[];

  @ApiProperty({
    type: 'integer',
    nullable: true,
    example: 1042,
    description: 'Pass as `after` for the next page; null on the last page',
  })
  nextCursor: number | null;
}
