import { DomainError } from '../../shared/domain-error.js';

export class ShipmentNotFound extends DomainError {
  readonly kind = 'not-found';
  readonly code = 'shipment-not-found';
  constructor(readonly shipmentId: string) {
    super(`Shipment ${shipmentId} does not exist`);
  }
}

export class ShipmentAlreadyDispatched extends DomainError {
  readonly kind = 'conflict';
  readonly code = 'shipment-already-dispatched';
  constructor(readonly shipmentId: string) {
    super(`Shipment ${shipmentId} was dispatched already`);
  }
}
