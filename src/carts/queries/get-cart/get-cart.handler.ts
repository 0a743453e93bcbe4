import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { CartNotFound } from '../../domain/cart.errors.js';
import { CartView } from '../../projections/cart-view.entity.js';
import type { CartResponse } from './cart.response.js';
import { GetCartQuery } from './get-cart.query.js';

@QueryHandler(GetCartQuery)
export class GetCartHandler implements IQueryHandler<GetCartQuery, CartResponse> {
  constructor(@InjectRepository(CartView) private readonly carts: Repository<CartView>) {}

  async execute({ cartId }: GetCartQuery): Promise<CartResponse> {
    const cart = await this.carts.findOneBy({ id: cartId });
    if (!cart) throw new CartNotFound(cartId);
    return {
      id: cart.id,
      customerId: cart.customerId,
      status: cart.status,
      currency: cart.currency,
      items: cart.items.map((item) => ({ ...item, lineTotal: item.quantity * item.unitPrice })),
      total: cart.total,
      version: cart.version,
      ...(cart.shipping && { shipping: cart.shipping }),
      ...(cart.orderId && { orderId: cart.orderId }),
    };
  }
}
