import type { EventMetadata } from '../../../event-store/index.js';
import type { ErasePersonalData } from '../../domain/account.js';

export class ErasePersonalDataCommand {
  constructor(
    readonly erasure: ErasePersonalData,
    readonly metadata: EventMetadata,
  ) {}
}
