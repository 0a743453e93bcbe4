import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DEPOSIT_SOURCES } from '../../domain/account.events.js';

export class HistoryLine {
  @ApiProperty({ example: 3, description: 'Stream version of the event' })
  version: number;

  @ApiProperty({ example: 1042, description: 'Global position of the event' })
  position: number;

  @ApiProperty({
    enum: [
      'AccountOpened',
      'MoneyDeposited',
      'MoneyWithdrawn',
      'WithdrawalRejected',
      'PersonalDataErased',
    ],
    example: 'WithdrawalRejected',
  })
  type: string;

  @ApiPropertyOptional({
    type: 'integer',
    example: 5000,
    description: 'Minor units; absent for AccountOpened and PersonalDataErased',
  })
  amount?: number;

  @ApiProperty({
    type: 'integer',
    example: 1200,
    description: 'The balance right after this event, minor units (unchanged by a rejection)',
  })
  balanceAfter: number;

  @ApiPropertyOptional({
    enum: ['insufficient-funds', 'currency-mismatch'],
    example: 'insufficient-funds',
    description:
      'Why a withdrawal was rejected (`currency-mismatch`: an order in another currency tried to pay from the ' +
      'account); WithdrawalRejected only',
  })
  reason?: string;

  @ApiPropertyOptional({
    enum: [...DEPOSIT_SOURCES, 'unknown'],
    example: 'transfer',
    description: 'MoneyDeposited only; `unknown` for deposits recorded without one',
  })
  source?: string;

  @ApiPropertyOptional({ example: 'Rent' })
  description?: string;

  @ApiProperty({ example: '2026-11-22T09:05:00.000Z', format: 'date-time' })
  recordedAt: string;
}

export class AccountHistoryPage {
  @ApiProperty({ type: [HistoryLine] })
  items: HistoryLine[];

  @ApiProperty({
    example: 101,
    nullable: true,
    type: Number,
    description: 'Pass as `fromVersion` for the next page; null on the last page',
  })
  nextFromVersion: number | null;
}
