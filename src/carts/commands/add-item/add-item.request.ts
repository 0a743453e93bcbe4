import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { CURRENCY_CODES } from '../../../shared/currency.js';
import { MAX_QUANTITY, MAX_UNIT_PRICE, PRODUCT_ID } from '../../domain/cart.js';

export class AddItemRequest {
  @ApiProperty({
    example: 'sku-4711',
    pattern: PRODUCT_ID.source,
    description:
      'A product token (SKU or UUID): a letter or digit, then up to 63 of A-Z a-z 0-9 . _ : -. Case-sensitive',
  })
  @IsString()
  @Matches(PRODUCT_ID, {
    message:
      'productId must be 1 to 64 characters of A-Z a-z 0-9 . _ : -, starting with a letter or digit',
  })
  productId: string;

  @ApiProperty({
    type: 'integer',
    example: 2,
    minimum: 1,
    maximum: MAX_QUANTITY,
    description: `Added to the line when the product is already in the cart; a line holds at most ${MAX_QUANTITY}`,
  })
  @IsInt()
  @Min(1)
  @Max(MAX_QUANTITY)
  quantity: number;

  @ApiProperty({
    type: 'integer',
    example: 1999,
    minimum: 1,
    maximum: MAX_UNIT_PRICE,
    description: 'Minor units (cents), 1 to 10^12',
  })
  @IsInt()
  @Min(1)
  @Max(MAX_UNIT_PRICE)
  unitPrice: number;

  @ApiProperty({
    example: 'EUR',
    pattern: '^[A-Z]{3}$',
    description: 'ISO 4217; the first item fixes the currency of the cart',
  })
  @IsString()
  @IsIn(CURRENCY_CODES, { message: 'currency must be an ISO 4217 code of three capital letters' })
  currency: string;
}
