import type { OrderViewStatus } from '../../projections/order-view.entity.js';

export class ListOrdersQuery {
  constructor(
    readonly filter: {
      readonly status?: OrderViewStatus;
      readonly limit: number;
      /** The `nextCursor` of the previous page; 0 for the first. */
      readonly after: number;
      /** Only the orders of this customer. */
      readonly ownedBy?: string;
    },
  ) {}
}
