import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ReadsFrom } from '../http/consistency.guard.js';
import { dayRange, dayRangeRules } from '../http/day-range.params.js';
import { ValidationProblemResponse } from '../http/problem.js';
import { ApiConsistencyTimeoutResponse } from '../http/read-responses.js';
import {
  CartRemovalsParams,
  DEFAULT_PRODUCTS,
} from './queries/get-cart-removals/cart-removals.params.js';
import { CartRemovalsReport } from './queries/get-cart-removals/cart-removals.response.js';
import { GetCartRemovalsQuery } from './queries/get-cart-removals/get-cart-removals.query.js';

@ApiTags('reports')
@Controller('reports')
export class CartReportsController {
  constructor(private readonly queries: QueryBus) {}

  @Get('cart-removals')
  @ReadsFrom('cart-removals')
  @ApiOperation({
    summary: 'Products added to carts and later removed: removals, units and carts per product',
    description: `${dayRangeRules("the removals'")} Built from the whole event history, not only since the report existed.`,
  })
  @ApiOkResponse({ type: CartRemovalsReport })
  @ApiBadRequestResponse({
    type: ValidationProblemResponse,
    description:
      'A date is not YYYY-MM-DD, `from` is after `to`, the range is too long, or a bad limit',
  })
  @ApiConsistencyTimeoutResponse()
  cartRemovals(@Query() params: CartRemovalsParams): Promise<CartRemovalsReport> {
    const { from, to } = dayRange(params);
    return this.queries.execute(
      new GetCartRemovalsQuery(from, to, params.limit ?? DEFAULT_PRODUCTS),
    );
  }
}
