import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

export class CheckOutRequest {
  @ApiProperty({
    example: '0b6f1f7e-2c1d-4a4e-9d7b-3f0e5a1c2b9d',
    format: 'uuid',
    description: 'The account the order is paid from; the orders context checks it, not the cart',
  })
  @IsUUID('all', { message: 'accountId must be a UUID' })
  accountId: string;
}
