import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventTypeRegistry } from '../event-store/index.js';
import { IntegrationEventRegistry } from '../integration/index.js';
import { projectionOf } from '../projections/index.js';
import { CheckoutCommands } from './checkout/checkout-commands.js';
import { CheckoutSagaReactor } from './checkout/checkout-saga.reactor.js';
import { CheckoutTimer } from './checkout/checkout-timer.service.js';
import { CHECKOUT_EVENT_DEFINITIONS } from './domain/checkout.events.js';
import { ORDER_EVENT_DEFINITIONS } from './domain/order.events.js';
import { ORDERS_INTEGRATION_EVENTS } from './integration/orders-integration-events.js';
import { CheckoutRepository, OrderRepository } from './order.repository.js';
import { OrdersController } from './orders.controller.js';
import { PlaceOrderReactor } from './place-order/place-order.reactor.js';
import { CheckoutPending } from './projections/checkout-pending.entity.js';
import { checkoutPending } from './projections/checkout-pending.projection.js';
import { OrderView } from './projections/order-view.entity.js';
import { orderViews } from './projections/order-view.projection.js';
import { GetOrderHandler } from './queries/get-order/get-order.handler.js';
import { GetOrdersByStatusHandler } from './queries/get-orders-by-status/get-orders-by-status.handler.js';
import { ListOrdersHandler } from './queries/list-orders/list-orders.handler.js';
import { OrderReportsController } from './reports.controller.js';

@Module({
  imports: [TypeOrmModule.forFeature([OrderView, CheckoutPending])],
  controllers: [OrdersController, OrderReportsController],
  providers: [
    OrderRepository,
    CheckoutRepository,
    PlaceOrderReactor,
    CheckoutCommands,
    CheckoutSagaReactor,
    CheckoutTimer,
    projectionOf(orderViews),
    projectionOf(checkoutPending),
    GetOrderHandler,
    ListOrdersHandler,
    GetOrdersByStatusHandler,
  ],
})
export class OrdersModule implements OnModuleInit {
  constructor(
    private readonly registry: EventTypeRegistry,
    private readonly integration: IntegrationEventRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(...ORDER_EVENT_DEFINITIONS, ...CHECKOUT_EVENT_DEFINITIONS);
    this.integration.register(ORDERS_INTEGRATION_EVENTS);
  }
}
