import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { MAX_AMOUNT } from '../../domain/account.js';

export class OpenAccountRequest {
  @ApiProperty({ example: 'Ada Lovelace', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  ownerName: string;

  @ApiProperty({
    example: 'EUR',
    description: 'ISO 4217 code, fixed for the life of the account',
    pattern: '^[A-Z]{3}$',
  })
  @IsString()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code of three capital letters' })
  currency: string;

  @ApiPropertyOptional({
    type: 'integer',
    example: 10000,
    description: 'Minor units (cents), 1 to 10^12',
    minimum: 1,
    maximum: MAX_AMOUNT,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_AMOUNT)
  initialDeposit?: number;
}
