import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
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
  constructor(private readonly customers: CustomerRepository) {}

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
    // Erased before: answer with where the stream stands, so consistentWith still works.
    const { version, position } =
      result.decided.length > 0 ? result : await this.customers.head(customerId);
    return { id: customerId, version, position };
  }
}
