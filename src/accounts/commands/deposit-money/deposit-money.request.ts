import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { MAX_AMOUNT } from '../../domain/account.js';

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
