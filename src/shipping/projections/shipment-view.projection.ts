import type { EntityManager } from 'typeorm';
import { customersOfOrders } from '../../orders/index.js';
import type { DeclaredProjection, ProjectedEvent } from '../../projections/index.js';
import { SHIPMENT_EVENT_TYPES, type ShipmentEvent } from '../domain/shipment.events.js';
import { ShipmentView } from './shipment-view.entity.js';

/** A shipment row; `customerToFind` marks one created in this batch, whose customer is looked up before writing. */
export type ShipmentRow = ShipmentView & { customerToFind?: true };

/** `version` skips any event the row already reflects, so a batch applied twice changes nothing. */
export function evolveShipment(
  row: ShipmentRow | null,
  event: ProjectedEvent<ShipmentEvent>,
): ShipmentRow | null {
  switch (event.type) {
    case 'ShipmentCreated':
      if (row) return row;
      return {
        id: event.data.shipmentId,
        orderId: event.data.orderId,
        status: 'awaiting-dispatch',
        version: event.streamVersion,
        createdAt: event.recordedAt,
        dispatchedAt: null,
        customerId: null,
        customerToFind: true,
      };
    case 'ShipmentDispatched':
      if (!row)
        throw new Error(`${event.type} for shipment ${event.data.shipmentId}, never created`);
      if (event.streamVersion <= row.version) return row;
      return {
        ...row,
        status: 'dispatched',
        dispatchedAt: event.recordedAt,
        version: event.streamVersion,
      };
    default: {
      const unhandled: never = event;
      throw new Error(`Unhandled event ${(unhandled as ShipmentEvent).type}`);
    }
  }
}

/** `shipments`: one row per shipment, its customer the one of its order. */
export const shipmentViews: DeclaredProjection<ShipmentRow, ShipmentEvent> = {
  name: 'shipments',
  eventTypes: SHIPMENT_EVENT_TYPES,
  entity: ShipmentView,
  rowId: (event) => event.data.shipmentId,
  evolve: evolveShipment,
  insertOnly: ['orderId', 'createdAt', 'customerId'],
  overwriteWhen: 't.version < EXCLUDED.version',
  beforeWrite: findCustomers,
};

/**
 * Shipment events do not name the customer: it is the one of the order's OrderPlaced, earlier in the log than its
 * shipment, so it is always there, on a rebuild too.
 */
async function findCustomers(rows: readonly ShipmentRow[], tx: EntityManager): Promise<void> {
  const created = rows.filter((row) => row.customerToFind);
  if (created.length === 0) return;
  const customers = await customersOfOrders(
    tx,
    created.map((row) => row.orderId),
  );
  for (const row of created) {
    row.customerId = customers.get(row.orderId) ?? null;
    row.customerToFind = undefined;
  }
}
