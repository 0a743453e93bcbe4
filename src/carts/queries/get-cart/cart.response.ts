import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ProductLineResponse } from '../../../shared/product-line.response.js';

export class CartItemResponse extends ProductLineResponse {}

export class ShippingResponse {
  @ApiProperty({ example: 'Ada Lovelace' })
  name: string;

  @ApiProperty({ example: '12 St James Square' })
  street: string;

  @ApiProperty({ example: 'London' })
  city: string;

  @ApiProperty({ example: 'SW1Y 4JH' })
  postalCode: string;

  @ApiProperty({ example: 'GB', description: 'ISO 3166-1 alpha-2' })
  country: string;
}

export class CartResponse {
  @ApiProperty({ example: '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed', format: 'uuid' })
  id: string;

  @ApiProperty({ example: '6f1c0a52-8d3e-4c7b-9a51-2b7e4d9c0f11', format: 'uuid' })
  customerId: string;

  @ApiProperty({ enum: ['open', 'checked-out'], example: 'open' })
  status: 'open' | 'checked-out';

  @ApiProperty({
    type: 'string',
    nullable: true,
    example: 'EUR',
    description: 'Set by the first item added; null before',
  })
  currency: string | null;

  @ApiProperty({
    type: [CartItemResponse],
    description: 'In the order the products were first added',
  })
  items: CartItemResponse[];

  @ApiProperty({ type: 'integer', example: 3998, description: 'Minor units' })
  total: number;

  @ApiProperty({ example: 4, description: 'Stream version; also sent as the ETag' })
  version: number;

  @ApiPropertyOptional({
    type: ShippingResponse,
    description:
      'Absent until an address is entered. Personal data: every field but the country reads "[erased]" once the ' +
      'customer is erased',
  })
  shipping?: ShippingResponse;

  @ApiPropertyOptional({
    example: '5d2c8a4e-7f1b-8c3d-9e0a-1b2c3d4e5f60',
    format: 'uuid',
    description: 'Once checked out: the order it became',
  })
  orderId?: string;
}
