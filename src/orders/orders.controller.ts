import { Controller, Get, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ReadsFrom } from '../http/consistency.guard.js';
import { ConsistentReadParams } from '../http/consistent-read.params.js';
import { ApiInvalidInputResponse } from '../http/problem.js';
import {
  ApiConsistencyTimeoutResponse,
  ApiVersionedRead,
  withETag,
} from '../http/read-responses.js';
import { UuidParam } from '../http/uuid-param.js';
import { Caller, type Access } from '../identity/index.js';
import { GetOrderQuery } from './queries/get-order/get-order.query.js';
import { OrderResponse } from './queries/get-order/order.response.js';
import { DEFAULT_PAGE, ListOrdersParams } from './queries/list-orders/list-orders.params.js';
import { ListOrdersQuery } from './queries/list-orders/list-orders.query.js';
import { OrdersPage } from './queries/list-orders/orders-page.response.js';

/** Orders are placed by the checkout of a cart (POST /carts/{id}/checkout) and moved on by the checkout saga. */
@ApiTags('orders')
@ApiInvalidInputResponse()
@Controller('orders')
export class OrdersController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ReadsFrom('orders')
  @ApiOperation({
    summary: 'Orders in the order they were placed, a page at a time',
    description: "A customer sees only their own orders; staff (auditor, admin) see everyone's.",
  })
  @ApiOkResponse({ type: OrdersPage })
  @ApiConsistencyTimeoutResponse()
  list(@Query() params: ListOrdersParams, @Caller() { ownedBy }: Access): Promise<OrdersPage> {
    const { status, limit = DEFAULT_PAGE, after = 0 } = params;
    return this.queries.execute(new ListOrdersQuery({ status, limit, after, ownedBy }));
  }

  @Get(':id')
  @ReadsFrom('orders')
  @ApiOperation({
    summary: 'The order: status, lines, payment, shipment (its id to dispatch), cancellation',
    description:
      'Placed asynchronously after the checkout: 404 order-not-found until then (the checkout answers 202). ' +
      "Another customer's order answers 404 order-not-found too, as one that does not exist.",
  })
  @ApiVersionedRead({ ok: OrderResponse, notFound: 'order-not-found', exampleVersion: 2 })
  async get(
    @UuidParam('id') id: string,
    @Query() _params: ConsistentReadParams,
    @Caller() { ownedBy }: Access,
    @Res({ passthrough: true }) response: Response,
  ): Promise<OrderResponse> {
    const order = await this.queries.execute<GetOrderQuery, OrderResponse>(
      new GetOrderQuery(id, ownedBy),
    );
    return withETag(response, order);
  }
}
