import { domainError } from '../../shared/domain-error.js';

export class ShipmentNotFound extends domainError('not-found', 'shipment-not-found') {
  constructor(readonly shipmentId: string) {
    super(`Shipment ${shipmentId} does not exist`);
  }
}

export class ShipmentAlreadyDispatched extends domainError(
  'conflict',
  'shipment-already-dispatched',
) {
  constructor(readonly shipmentId: string) {
    super(`Shipment ${shipmentId} was dispatched already`);
  }
}
