import { ApiProperty } from '@nestjs/swagger';

export class AccountResponse {
  @ApiProperty({ example: '0b6f1f7e-2c1d-4a4e-9d7b-3f0e5a1c2b9d', format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  ownerName: string;

  @ApiProperty({ example: 'EUR' })
  currency: string;

  @ApiProperty({ type: 'integer', example: 7500, description: 'Minor units (cents)' })
  balance: number;

  @ApiProperty({ example: 3, description: 'Stream version; also sent as the ETag' })
  version: number;

  @ApiProperty({ example: '2026-11-22T09:00:00.000Z', format: 'date-time' })
  openedAt: string;

  @ApiProperty({ example: '2026-11-22T09:05:00.000Z', format: 'date-time' })
  updatedAt: string;
}
