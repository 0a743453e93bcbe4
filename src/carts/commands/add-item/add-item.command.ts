import type { EventMetadata } from '../../../event-store/index.js';
import type { AddItem } from '../../domain/cart.js';

export class AddItemCommand {
  constructor(
    readonly item: AddItem,
    readonly expectedVersion: number | undefined,
    readonly metadata: EventMetadata,
  ) {}
}
