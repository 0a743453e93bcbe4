import { deterministicUuid } from '../event-store/index.js';

/** An order is shipped once: its shipment's id follows from the order's. */
export const shipmentIdOf = (orderId: string): string => deterministicUuid('shipment', orderId);
