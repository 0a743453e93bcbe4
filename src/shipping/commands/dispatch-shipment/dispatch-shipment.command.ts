import type { EventMetadata } from '../../../event-store/index.js';

export class DispatchShipmentCommand {
  constructor(
    readonly shipmentId: string,
    readonly expectedVersion: number | undefined,
    readonly metadata: EventMetadata,
  ) {}
}
