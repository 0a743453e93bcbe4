import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandAccepted } from '../../../shared/command-accepted.response.js';
import { dispatch } from '../../domain/shipment.js';
import { ShipmentRepository } from '../../shipment.repository.js';
import { DispatchShipmentCommand } from './dispatch-shipment.command.js';

@CommandHandler(DispatchShipmentCommand)
export class DispatchShipmentHandler implements ICommandHandler<
  DispatchShipmentCommand,
  CommandAccepted
> {
  constructor(private readonly shipments: ShipmentRepository) {}

  async execute(command: DispatchShipmentCommand): Promise<CommandAccepted> {
    const { version, position } = await this.shipments.update(
      command.shipmentId,
      (state) => dispatch(state, command),
      { expectedVersion: command.expectedVersion, metadata: command.metadata },
    );
    return { id: command.shipmentId, version, position };
  }
}
