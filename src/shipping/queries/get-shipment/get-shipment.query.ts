export class GetShipmentQuery {
  constructor(readonly shipmentId: string) {}
}
