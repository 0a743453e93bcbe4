import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventTypeRegistry } from '../event-store/index.js';
import { IntegrationEventRegistry } from '../integration/index.js';
import { projectionOf } from '../projections/index.js';
import { CreateShipmentConsumer } from './commands/create-shipment/create-shipment.consumer.js';
import { PaymentsSubscriber } from './commands/create-shipment/payments.subscriber.js';
import { DispatchShipmentHandler } from './commands/dispatch-shipment/dispatch-shipment.handler.js';
import { SHIPMENT_EVENT_DEFINITIONS } from './domain/shipment.events.js';
import { SHIPPING_INTEGRATION_EVENTS } from './integration/shipping-integration-events.js';
import { ProcessedMessage } from './processed-message.entity.js';
import { ShipmentView } from './projections/shipment-view.entity.js';
import { shipmentViews } from './projections/shipment-view.projection.js';
import { GetShipmentHandler } from './queries/get-shipment/get-shipment.handler.js';
import { ShipmentRepository } from './shipment.repository.js';
import { ShipmentsController } from './shipments.controller.js';

@Module({
  imports: [TypeOrmModule.forFeature([ShipmentView, ProcessedMessage])],
  controllers: [ShipmentsController],
  providers: [
    ShipmentRepository,
    CreateShipmentConsumer,
    PaymentsSubscriber,
    DispatchShipmentHandler,
    GetShipmentHandler,
    projectionOf(shipmentViews),
  ],
})
export class ShippingModule implements OnModuleInit {
  constructor(
    private readonly registry: EventTypeRegistry,
    private readonly integration: IntegrationEventRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(...SHIPMENT_EVENT_DEFINITIONS);
    this.integration.register(SHIPPING_INTEGRATION_EVENTS);
  }
}
