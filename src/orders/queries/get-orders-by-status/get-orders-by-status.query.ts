export class GetOrdersByStatusQuery {}
