import { at, projectionSpecFor } from '../../projections/testing/entity-projection-spec.js';
import type { ShipmentEvent } from '../domain/shipment.events.js';
import { shipmentViews } from './shipment-view.projection.js';

const given = projectionSpecFor(shipmentViews);
const shipmentId = '8b1c2d3e-0000-4000-8000-000000000001';
const orderId = '8b1c2d3e-0000-4000-8000-0000000000dd';
const created: ShipmentEvent = { type: 'ShipmentCreated', data: { shipmentId, orderId } };
const dispatched: ShipmentEvent = { type: 'ShipmentDispatched', data: { shipmentId, orderId } };

const awaiting = {
  id: shipmentId,
  orderId,
  status: 'awaiting-dispatch' as const,
  version: 1,
  createdAt: new Date('2026-12-01T10:00:00.000Z'),
  dispatchedAt: null,
  customerId: null,
  customerToFind: true as const,
};

describe('shipments', () => {
  it('creates a shipment awaiting dispatch, its customer still to be found', () => {
    given([at(created, 1, '2026-12-01T10:00:00.000Z')]).then([awaiting]);
  });

  it('dispatches it once: a replayed dispatch changes nothing', () => {
    given([
      at(created, 1, '2026-12-01T10:00:00.000Z'),
      at(dispatched, 2, '2026-12-01T11:00:00.000Z'),
      at(created, 1, '2026-12-01T10:00:00.000Z'),
      at(dispatched, 2, '2026-12-01T12:00:00.000Z'),
    ]).then([
      {
        ...awaiting,
        status: 'dispatched',
        version: 2,
        dispatchedAt: new Date('2026-12-01T11:00:00.000Z'),
      },
    ]);
  });

  it('refuses a dispatch of a shipment never created (a broken stream, to be dead-lettered)', () => {
    expect(() => given([at(dispatched, 2, '2026-12-01T11:00:00.000Z')]).then([])).toThrow(
      /never created/,
    );
  });
});
