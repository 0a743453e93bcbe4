import { ApiProperty } from '@nestjs/swagger';

/** A product at a quantity and a unit price: a cart's item, an order's line. */
export class ProductLineResponse {
  @ApiProperty({ example: 'sku-4711' })
  productId: string;

  @ApiProperty({ type: 'integer', example: 2 })
  quantity: number;

  @ApiProperty({ type: 'integer', example: 1999, description: 'Minor units' })
  unitPrice: number;

  @ApiProperty({ type: 'integer', example: 3998, description: 'quantity x unitPrice, minor units' })
  lineTotal: number;

  /** The line as answered: with its total. */
  static of(line: Omit<ProductLineResponse, 'lineTotal'>): ProductLineResponse {
    return { ...line, lineTotal: line.quantity * line.unitPrice };
  }
}
