import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { MAX_AMOUNT } from '../../domain/account.js';
import { DEPOSIT_SOURCES, type DepositSource } from '../../domain/account.events.js';

/** The body of a deposit or a withdrawal. */
export class MoneyMovementRequest {
  @ApiProperty({
    type: 'integer',
    example: 2500,
    description: 'Minor units (cents), 1 to 10^12',
    minimum: 1,
    maximum: MAX_AMOUNT,
  })
  @IsInt()
  @Min(1)
  @Max(MAX_AMOUNT)
  amount: number;

  @ApiPropertyOptional({ example: 'Salary November', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;
}

export class DepositMoneyRequest extends MoneyMovementRequest {
  @ApiPropertyOptional({
    enum: DEPOSIT_SOURCES,
    example: 'transfer',
    description: 'Where the money came from; recorded as `unknown` when omitted',
  })
  @IsOptional()
  @IsIn(DEPOSIT_SOURCES, { message: `source must be one of ${DEPOSIT_SOURCES.join(', ')}` })
  source?: Exclude<DepositSource, 'unknown'>;
}
