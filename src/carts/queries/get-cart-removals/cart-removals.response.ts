import { ApiProperty } from '@nestjs/swagger';

export class ProductRemovals {
  @ApiProperty({ example: 'sku-4711' })
  productId: string;

  @ApiProperty({
    type: 'integer',
    example: 3,
    description: 'Times the product was taken out of a cart',
  })
  removals: number;

  @ApiProperty({ type: 'integer', example: 5, description: 'Units those removals took out' })
  quantityRemoved: number;

  @ApiProperty({ type: 'integer', example: 2, description: 'Distinct carts it was taken out of' })
  carts: number;
}

export class CartRemovalsReport {
  @ApiProperty({ example: '2026-11-01', format: 'date', description: 'First day, included' })
  from: string;

  @ApiProperty({ example: '2026-11-30', format: 'date', description: 'Last day, included' })
  to: string;

  @ApiProperty({
    type: [ProductRemovals],
    description:
      'Products removed from carts on those UTC days, the most removed first (then by quantity, then productId)',
  })
  products: ProductRemovals[];
}
