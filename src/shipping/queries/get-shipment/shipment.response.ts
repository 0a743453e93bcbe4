import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ShipmentResponse {
  @ApiProperty({ example: '0e1f2a3b-4c5d-8e6f-9a0b-1c2d3e4f5a6b', format: 'uuid' })
  id: string;

  @ApiProperty({ example: '5d2c8a4e-7f1b-8c3d-9e0a-1b2c3d4e5f60', format: 'uuid' })
  orderId: string;

  @ApiProperty({ enum: ['awaiting-dispatch', 'dispatched'], example: 'awaiting-dispatch' })
  status: 'awaiting-dispatch' | 'dispatched';

  @ApiProperty({ example: 1, description: 'Stream version; also sent as the ETag' })
  version: number;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Once dispatched' })
  dispatchedAt?: string;
}
