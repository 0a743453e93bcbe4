import { ApiProperty } from '@nestjs/swagger';

export class StreamSummary {
  @ApiProperty({ example: 'account-0b6f1f7e-2c1d-4a4e-9d7b-3f0e5a1c2b9d' })
  streamId: string;

  @ApiProperty({
    example: 'account',
    description: "The part of the stream id before its first '-'",
  })
  category: string;

  @ApiProperty({ example: 12 })
  version: number;

  @ApiProperty({ example: 'MoneyDeposited' })
  lastType: string;

  @ApiProperty({ example: 1042 })
  lastPosition: number;

  @ApiProperty({ example: '2026-11-22T09:05:00.000Z', format: 'date-time' })
  updatedAt: string;
}

export class StreamsPage {
  @ApiProperty({ type: [StreamSummary] })
  streams: StreamSummary[];

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'account-0b6f1f7e-2c1d-4a4e-9d7b-3f0e5a1c2b9d',
    description: 'Pass as `after` for the next page; null: the last page',
  })
  next: string | null;
}
