import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { PostgresEventStore } from '../../../event-store/index.js';
import type { CommandAccepted } from '../../../shared/command-accepted.response.js';
import { CustomerRepository } from '../../customer.repository.js';
import { erasePersonalData } from '../../domain/customer.js';
import { EraseCustomerPersonalDataCommand } from './erase-customer-personal-data.command.js';

/** Decides, destroys the customer's key (the customer is the subject), then records CustomerPersonalDataErased. */
@CommandHandler(EraseCustomerPersonalDataCommand)
export class EraseCustomerPersonalDataHandler implements ICommandHandler<
  EraseCustomerPersonalDataCommand,
  CommandAccepted
> {
  constructor(
    private readonly customers: CustomerRepository,
    private readonly store: PostgresEventStore,
  ) {}

  async execute({
    customerId,
    ownedBy,
    metadata,
  }: EraseCustomerPersonalDataCommand): Promise<CommandAccepted> {
    const result = await this.customers.update(
      customerId,
      (state) => erasePersonalData(state, { customerId, ownedBy }),
      { metadata, erasePersonalDataOf: [customerId] },
    );
    if (result.decided.length > 0)
      return { id: customerId, version: result.version, position: result.position };
    // Erased before: answer with where the stream stands, so consistentWith still works.
    const [last] = await this.store.readStream(this.customers.streamIdOf(customerId), {
      direction: 'backward',
      limit: 1,
    });
    return { id: customerId, version: last.streamVersion, position: last.globalPosition };
  }
}
