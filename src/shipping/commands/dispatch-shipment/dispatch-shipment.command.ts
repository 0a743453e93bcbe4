import type { EventMetadata } from '../../../event-store/event-store.types.js';

export class DispatchShipmentCommand {
  constructor(
    readonly shipmentId: string,
    readonly expectedVersion: number | undefined,
    readonly metadata: EventMetadata,
  ) {}
}
