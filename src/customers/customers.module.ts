import { Module, OnModuleInit } from '@nestjs/common';
import { EventTypeRegistry } from '../event-store/index.js';
import { IntegrationEventRegistry } from '../integration/index.js';
import { EraseCustomerPersonalDataHandler } from './commands/erase-customer-personal-data/erase-customer-personal-data.handler.js';
import { CustomerRepository } from './customer.repository.js';
import { CustomersController } from './customers.controller.js';
import { CUSTOMER_EVENT_DEFINITIONS } from './domain/customer.events.js';
import { CUSTOMERS_INTEGRATION_EVENTS } from './integration/customers-integration-events.js';

/** The customer as a data subject: their personal data, in whichever context it is stored, is erased here. */
@Module({
  controllers: [CustomersController],
  providers: [CustomerRepository, EraseCustomerPersonalDataHandler],
})
export class CustomersModule implements OnModuleInit {
  constructor(
    private readonly registry: EventTypeRegistry,
    private readonly integration: IntegrationEventRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(...CUSTOMER_EVENT_DEFINITIONS);
    this.integration.register(CUSTOMERS_INTEGRATION_EVENTS);
  }
}
