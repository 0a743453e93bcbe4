export class GetShipmentQuery {
  constructor(
    readonly shipmentId: string,
    /** Only a shipment of this customer's order; any other answers shipment-not-found. */
    readonly ownedBy?: string,
  ) {}
}
