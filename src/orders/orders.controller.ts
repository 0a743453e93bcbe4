import { Controller, Get, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ReadsFrom } from '../http/consistency.interceptor.js';
import { ConsistentReadParams } from '../http/consistent-read.params.js';
import { ValidationProblemResponse } from '../http/problem.js';
import { ApiConsistencyTimeoutResponse, ApiVersionedRead } from '../http/read-responses.js';
import { UuidParam } from '../http/uuid-param.js';
import { GetOrderQuery } from './queries/get-order/get-order.query.js';
import { OrderResponse } from './queries/get-order/order.response.js';
import { DEFAULT_PAGE, ListOrdersParams } from './queries/list-orders/list-orders.params.js';
import { ListOrdersQuery } from './queries/list-orders/list-orders.query.js';
import { OrdersPage } from './queries/list-orders/orders-page.response.js';

/** Orders are placed by the checkout of a cart (POST /carts/{id}/checkout) and moved on by the checkout saga. */
@ApiTags('orders')
@ApiBadRequestResponse({
  type: ValidationProblemResponse,
  description: 'Invalid input; every offending field is named',
})
@Controller('orders')
export class OrdersController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ReadsFrom('orders')
  @ApiOperation({ summary: 'Orders in the order they were placed, a page at a time' })
  @ApiOkResponse({ type: OrdersPage })
  @ApiConsistencyTimeoutResponse()
  list(@Query() params: ListOrdersParams): Promise<OrdersPage> {
    return this.queries.execute(
      new ListOrdersQuery(params.status, params.limit ?? DEFAULT_PAGE, params.after ?? 0),
    );
  }

  @Get(':id')
  @ReadsFrom('orders')
  @ApiOperation({
    summary: 'The order: status, lines, payment, shipment (its id to dispatch), cancellation',
    description:
      'Placed asynchronously after the checkout: 404 order-not-found until then (the checkout answers 202).',
  })
  @ApiVersionedRead({ ok: OrderResponse, notFound: 'order-not-found', exampleVersion: 2 })
  async get(
    @UuidParam('id') id: string,
    @Query() _params: ConsistentReadParams,
    @Res({ passthrough: true }) response: Response,
  ): Promise<OrderResponse> {
    const order = await this.queries.execute<GetOrderQuery, OrderResponse>(new GetOrderQuery(id));
    response.setHeader('ETag', `"${order.version}"`);
    return order;
  }
}
