import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ReadsFrom } from '../http/consistency.guard.js';
import { ConsistentReadParams } from '../http/consistent-read.params.js';
import { ApiConsistencyTimeoutResponse } from '../http/read-responses.js';
import { GetOrdersByStatusQuery } from './queries/get-orders-by-status/get-orders-by-status.query.js';
import { OrdersByStatusReport } from './queries/get-orders-by-status/orders-by-status.response.js';

@ApiTags('reports')
@Controller('reports')
export class OrderReportsController {
  constructor(private readonly queries: QueryBus) {}

  @Get('orders-by-status')
  @ReadsFrom('orders')
  @ApiOperation({
    summary: 'How many orders are in each status, awaiting shipment included: the admin dashboard',
  })
  @ApiOkResponse({ type: OrdersByStatusReport })
  @ApiConsistencyTimeoutResponse()
  ordersByStatus(@Query() _params: ConsistentReadParams): Promise<OrdersByStatusReport> {
    return this.queries.execute(new GetOrdersByStatusQuery());
  }
}
