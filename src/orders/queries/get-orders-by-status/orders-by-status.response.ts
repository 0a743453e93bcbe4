import { ApiProperty } from '@nestjs/swagger';

export class OrderCountsResponse {
  @ApiProperty({ example: 3, description: 'Awaiting the payment' })
  placed: number;

  @ApiProperty({ example: 1, description: 'Paid, no shipment created yet' })
  paid: number;

  @ApiProperty({ example: 12, description: 'A shipment exists and is not dispatched yet' })
  'awaiting-shipment': number;

  @ApiProperty({ example: 40 })
  shipped: number;

  @ApiProperty({ example: 5 })
  cancelled: number;
}

export class OrdersByStatusReport {
  @ApiProperty({ example: 61 })
  total: number;

  @ApiProperty({ type: OrderCountsResponse, description: 'Every status, 0 included' })
  byStatus: OrderCountsResponse;
}
