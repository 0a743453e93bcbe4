import { Module, OnModuleInit } from '@nestjs/common';
import { EventTypeRegistry } from '../event-store/index.js';
import { EraseCustomerPersonalDataHandler } from './commands/erase-customer-personal-data/erase-customer-personal-data.handler.js';
import { CustomerRepository } from './customer.repository.js';
import { CustomersController } from './customers.controller.js';
import { CUSTOMER_EVENT_DEFINITIONS } from './domain/customer.events.js';

/** The customer as a data subject: their personal data, in whichever context it is stored, is erased here. */
@Module({
  controllers: [CustomersController],
  providers: [CustomerRepository, EraseCustomerPersonalDataHandler],
})
export class CustomersModule implements OnModuleInit {
  constructor(private readonly registry: EventTypeRegistry) {}

  onModuleInit(): void {
    this.registry.register(...CUSTOMER_EVENT_DEFINITIONS);
  }
}
