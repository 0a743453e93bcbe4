import { ApiProperty } from '@nestjs/swagger';

export class MoneyVolume {
  @ApiProperty({ type: 'integer', example: 3 })
  count: number;

  @ApiProperty({ type: 'integer', example: 45000, description: 'Minor units of the currency' })
  sum: number;
}

export class RejectedVolume {
  @ApiProperty({ type: 'integer', example: 1, description: 'Withdrawals refused that day' })
  count: number;
}

export class DailyVolume {
  @ApiProperty({
    example: '2026-11-22',
    format: 'date',
    description: 'UTC day the events were recorded',
  })
  day: string;

  @ApiProperty({ example: 'EUR' })
  currency: string;

  @ApiProperty({ type: MoneyVolume })
  deposits: MoneyVolume;

  @ApiProperty({ type: MoneyVolume })
  withdrawals: MoneyVolume;

  @ApiProperty({ type: RejectedVolume })
  rejected: RejectedVolume;
}

export class DailyVolumeReport {
  @ApiProperty({ example: '2026-11-01', format: 'date', description: 'First day, included' })
  from: string;

  @ApiProperty({ example: '2026-11-30', format: 'date', description: 'Last day, included' })
  to: string;

  @ApiProperty({
    type: [DailyVolume],
    description:
      'One entry per day and currency with any money event, ordered by day then currency; quiet days are left out',
  })
  days: DailyVolume[];
}
