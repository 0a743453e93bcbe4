import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CustomersModule } from '../customers/index.js';
import { EventTypeRegistry } from '../event-store/index.js';
import { projectionOf } from '../projections/index.js';
import { CartRepository } from './cart.repository.js';
import { CartsController } from './carts.controller.js';
import { AddItemHandler } from './commands/add-item/add-item.handler.js';
import { CheckOutHandler } from './commands/check-out/check-out.handler.js';
import { CreateCartHandler } from './commands/create-cart/create-cart.handler.js';
import { EnterShippingInfoHandler } from './commands/enter-shipping-info/enter-shipping-info.handler.js';
import { RemoveItemHandler } from './commands/remove-item/remove-item.handler.js';
import { CART_EVENT_DEFINITIONS } from './domain/cart.events.js';
import { CartItemRemoval } from './projections/cart-item-removal.entity.js';
import { cartItemRemovals } from './projections/cart-removals.projection.js';
import { CartView } from './projections/cart-view.entity.js';
import { CartsProjection } from './projections/carts.projection.js';
import { GetCartHandler } from './queries/get-cart/get-cart.handler.js';
import { GetCartRemovalsHandler } from './queries/get-cart-removals/get-cart-removals.handler.js';
import { CartReportsController } from './reports.controller.js';

@Module({
  // Its `carts` projection reads CustomerPersonalDataErased: registered by CustomersModule.
  imports: [TypeOrmModule.forFeature([CartView, CartItemRemoval]), CustomersModule],
  controllers: [CartsController, CartReportsController],
  providers: [
    CartRepository,
    CreateCartHandler,
    AddItemHandler,
    RemoveItemHandler,
    EnterShippingInfoHandler,
    CheckOutHandler,
    GetCartHandler,
    GetCartRemovalsHandler,
    CartsProjection,
    projectionOf(cartItemRemovals),
  ],
})
export class CartsModule implements OnModuleInit {
  constructor(private readonly registry: EventTypeRegistry) {}

  onModuleInit(): void {
    this.registry.register(...CART_EVENT_DEFINITIONS);
  }
}
