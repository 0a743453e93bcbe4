import type { AggregateDefinition } from '../../event-store/index.js';
import type { ShipmentCreated, ShipmentDispatched, ShipmentEvent } from './shipment.events.js';
import { ShipmentAlreadyDispatched, ShipmentNotFound } from './shipment.errors.js';

export type ShipmentState =
  { status: 'none' } | { status: 'awaiting-dispatch' | 'dispatched'; id: string; orderId: string };

export type CreateShipment = { shipmentId: string; orderId: string };
export type DispatchShipment = { shipmentId: string };

export const initialState = (): ShipmentState => ({ status: 'none' });

export function evolve(state: ShipmentState, event: ShipmentEvent): ShipmentState {
  switch (event.type) {
    case 'ShipmentCreated':
      return {
        status: 'awaiting-dispatch',
        id: event.data.shipmentId,
        orderId: event.data.orderId,
      };
    case 'ShipmentDispatched':
      return state.status === 'none' ? state : { ...state, status: 'dispatched' };
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

/** Creating a shipment that exists decides nothing. */
export function create(state: ShipmentState, command: CreateShipment): ShipmentCreated[] {
  if (state.status !== 'none') return [];
  return [{ type: 'ShipmentCreated', data: command }];
}

export function dispatch(
  state: ShipmentState,
  { shipmentId }: DispatchShipment,
): ShipmentDispatched[] {
  if (state.status === 'none') throw new ShipmentNotFound(shipmentId);
  if (state.status === 'dispatched') throw new ShipmentAlreadyDispatched(shipmentId);
  return [{ type: 'ShipmentDispatched', data: { shipmentId, orderId: state.orderId } }];
}

export const shipmentDefinition: AggregateDefinition<ShipmentState, ShipmentEvent> = {
  streamType: 'shipment',
  initialState,
  evolve,
};
