import { ApiProperty } from '@nestjs/swagger';
import { CommandAccepted } from '../../../shared/command-accepted.response.js';

export class CheckoutAccepted extends CommandAccepted {
  @ApiProperty({
    example: '5d2c8a4e-7f1b-8c3d-9e0a-1b2c3d4e5f60',
    format: 'uuid',
    description: "The order being placed; derived from the cart's id, the same on every retry",
  })
  orderId: string;
}
