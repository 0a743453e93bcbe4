import type { EventMetadata } from '../../../event-store/event-store.types.js';

export class ErasePersonalDataCommand {
  constructor(
    readonly accountId: string,
    readonly metadata: EventMetadata,
  ) {}
}
