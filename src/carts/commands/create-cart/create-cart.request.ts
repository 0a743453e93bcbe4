import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsUUID } from 'class-validator';

export class CreateCartRequest {
  @ApiProperty({ example: '6f1c0a52-8d3e-4c7b-9a51-2b7e4d9c0f11', format: 'uuid' })
  @IsUUID('all', { message: 'customerId must be a UUID' })
  // The subject of the customer's personal data: one spelling, so that erasing the customer finds their key.
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.toLowerCase() : value,
  )
  customerId: string;
}
