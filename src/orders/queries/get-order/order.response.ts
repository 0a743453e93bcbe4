import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ProductLineResponse } from '../../../shared/product-line.response.js';
import { CANCELLATION_REASONS, NOT_PLACED_REASONS } from '../../domain/order.events.js';
import { ORDER_VIEW_STATUSES, type OrderViewStatus } from '../../projections/order-view.entity.js';

export class OrderLineResponse extends ProductLineResponse {}

export class PaymentResponse {
  @ApiProperty({ type: 'integer', example: 3998, description: 'Minor units' })
  amount: number;

  @ApiProperty({ format: 'date-time' })
  paidAt: string;

  @ApiPropertyOptional({
    example: 1042,
    description: 'Global position of the MoneyWithdrawn event that paid it',
  })
  withdrawalPosition?: number;
}

export class OrderShipmentResponse {
  @ApiProperty({
    example: '0e1f2a3b-4c5d-8e6f-9a0b-1c2d3e4f5a6b',
    format: 'uuid',
    description: 'Dispatch it with POST /shipments/{id}/dispatch',
  })
  id: string;

  @ApiProperty({ example: '/shipments/0e1f2a3b-4c5d-8e6f-9a0b-1c2d3e4f5a6b' })
  href: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Once the order is shipped' })
  shippedAt?: string;
}

export class CancellationResponse {
  @ApiProperty({
    enum: [...CANCELLATION_REASONS, ...NOT_PLACED_REASONS],
    example: 'payment-declined',
    description:
      '`personal-data-erased`: the customer was erased between the checkout and its order, which was never placed ' +
      '(no payment was asked)',
  })
  reason: string;

  @ApiPropertyOptional({
    example: 'insufficient-funds',
    description:
      'Why the payment was declined: `insufficient-funds`, `currency-mismatch` (the account is not in the ' +
      "order's currency) or `account-not-found`",
  })
  detail?: string;

  @ApiProperty({ format: 'date-time' })
  cancelledAt: string;
}

export class OrderResponse {
  @ApiProperty({ example: '5d2c8a4e-7f1b-8c3d-9e0a-1b2c3d4e5f60', format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  cartId: string;

  @ApiProperty({ format: 'uuid' })
  customerId: string;

  @ApiProperty({ format: 'uuid', description: 'The account it is paid from' })
  accountId: string;

  @ApiProperty({
    enum: ORDER_VIEW_STATUSES,
    example: 'awaiting-shipment',
    description:
      'placed: awaiting the payment; paid; awaiting-shipment: a shipment exists, not dispatched yet; ' +
      'shipped; cancelled: see `cancellation`',
  })
  status: OrderViewStatus;

  @ApiProperty({ example: 'EUR' })
  currency: string;

  @ApiProperty({ type: [OrderLineResponse] })
  lines: OrderLineResponse[];

  @ApiProperty({ type: 'integer', example: 3998, description: 'Minor units' })
  total: number;

  @ApiProperty({ example: 2, description: "The order stream's version; also sent as the ETag" })
  version: number;

  @ApiProperty({
    format: 'date-time',
    description: 'When it was placed; for an order not placed, when that was recorded',
  })
  placedAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  @ApiPropertyOptional({ type: PaymentResponse, description: 'Once paid' })
  payment?: PaymentResponse;

  @ApiPropertyOptional({ type: OrderShipmentResponse, description: 'Once shipping created one' })
  shipment?: OrderShipmentResponse;

  @ApiPropertyOptional({ type: CancellationResponse, description: 'Once cancelled' })
  cancellation?: CancellationResponse;
}
