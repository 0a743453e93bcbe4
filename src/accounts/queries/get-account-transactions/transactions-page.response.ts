import { ApiProperty } from '@nestjs/swagger';

export class StatementLine {
  @ApiProperty({ example: 2, description: 'Stream version of the event behind this line' })
  version: number;

  @ApiProperty({ example: 1042 })
  position: number;

  @ApiProperty({ enum: ['deposit', 'withdrawal', 'rejected-withdrawal'], example: 'deposit' })
  kind: string;

  @ApiProperty({ type: 'integer', example: 2500, description: 'Minor units' })
  amount: number;

  @ApiProperty({
    type: 'integer',
    example: 12500,
    description: 'Balance after this line, minor units',
  })
  balanceAfter: number;

  @ApiProperty({ example: 'Salary November', nullable: true, type: String })
  description: string | null;

  @ApiProperty({ example: '2026-11-22T09:05:00.000Z', format: 'date-time' })
  recordedAt: string;
}

export class TransactionsPage {
  @ApiProperty({ type: [StatementLine] })
  items: StatementLine[];

  @ApiProperty({
    example: 21,
    nullable: true,
    type: Number,
    description: 'Pass as `after` for the next page; null on the last page',
  })
  nextCursor: number | null;
}
