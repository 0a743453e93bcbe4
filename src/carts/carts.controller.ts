import { randomUUID } from 'node:crypto';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { deterministicUuid, type EventMetadata } from '../event-store/index.js';
import { CommandAccepted } from '../shared/command-accepted.response.js';
import { ReadsFrom } from '../http/consistency.guard.js';
import { ConsistentReadParams } from '../http/consistent-read.params.js';
import { ApiInvalidInputResponse, ProblemResponse } from '../http/problem.js';
import { ApiVersionedRead, withETag } from '../http/read-responses.js';
import {
  CommandMetadata,
  IDEMPOTENCY_KEY_HEADER,
  IfMatchVersion,
  ifMatchHeader,
} from '../http/request-context.js';
import { UuidParam } from '../http/uuid-param.js';
import { Caller, type Access } from '../identity/index.js';
import { productIdParam } from './carts.params.js';
import { AddItemCommand } from './commands/add-item/add-item.command.js';
import { AddItemRequest } from './commands/add-item/add-item.request.js';
import { CheckOutCommand } from './commands/check-out/check-out.command.js';
import { CheckOutRequest } from './commands/check-out/check-out.request.js';
import { CheckoutAccepted } from './commands/check-out/checkout-accepted.response.js';
import { CreateCartCommand } from './commands/create-cart/create-cart.command.js';
import { CreateCartRequest } from './commands/create-cart/create-cart.request.js';
import { EnterShippingInfoCommand } from './commands/enter-shipping-info/enter-shipping-info.command.js';
import { ShippingInfoRequest } from './commands/enter-shipping-info/shipping-info.request.js';
import { RemoveItemCommand } from './commands/remove-item/remove-item.command.js';
import { CartResponse } from './queries/get-cart/cart.response.js';
import { GetCartQuery } from './queries/get-cart/get-cart.query.js';

const IDEMPOTENCY_KEY = IDEMPOTENCY_KEY_HEADER;
const IF_MATCH = ifMatchHeader('cart');
const CHECKED_OUT = {
  type: ProblemResponse,
  description:
    'The cart was checked out (cart-checked-out, with `orderId`), or If-Match is not the current version ' +
    '(version-conflict)',
};
const NOT_FOUND = {
  type: ProblemResponse,
  description: "cart-not-found: no such cart, or another customer's (answered alike)",
};
const ERASED = {
  type: ProblemResponse,
  description: `${CHECKED_OUT.description}, or the customer's personal data was erased (personal-data-erased)`,
};

@ApiTags('carts')
@ApiInvalidInputResponse()
@Controller('carts')
export class CartsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiOperation({
    summary: "Create an empty cart: the caller's, for the customer their token names",
    description:
      'The body is an empty object (unknown fields are refused). Only that customer can then fill, read and check ' +
      'out the cart: to anyone else it answers 404 cart-not-found, as a cart that does not exist.',
  })
  @ApiHeader(IDEMPOTENCY_KEY)
  @ApiCreatedResponse({
    type: CommandAccepted,
    headers: { Location: { description: '/carts/{id}' } },
  })
  async create(
    @Body() _body: CreateCartRequest,
    @Caller() caller: Access,
    @CommandMetadata() metadata: EventMetadata,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CommandAccepted> {
    // Derived from the command id, so a retried Idempotency-Key creates the same cart, not a second one.
    const id = deterministicUuid('cart', metadata.commandId ?? randomUUID());
    const result = await this.commands.execute<CreateCartCommand, CommandAccepted>(
      new CreateCartCommand(id, caller.principal.customerId, metadata),
    );
    response.location(`/carts/${id}`);
    return result;
  }

  @Post(':id/items')
  @ApiOperation({
    summary: 'Add a product; a product already in the cart gets the quantity added to its line',
  })
  @ApiHeader(IDEMPOTENCY_KEY)
  @ApiHeader(IF_MATCH)
  @ApiCreatedResponse({ type: CommandAccepted })
  @ApiNotFoundResponse(NOT_FOUND)
  @ApiConflictResponse(CHECKED_OUT)
  @ApiUnprocessableEntityResponse({
    type: ProblemResponse,
    description:
      'cart-currency-mismatch (another currency than the cart), unit-price-mismatch (the product is in the ' +
      'cart at another price), quantity-limit-exceeded (a line past 1000), cart-total-limit-exceeded (past 10^12)',
  })
  addItem(
    @UuidParam('id') id: string,
    @Body() body: AddItemRequest,
    @Caller() { ownedBy }: Access,
    @IfMatchVersion() expectedVersion: number | undefined,
    @CommandMetadata() metadata: EventMetadata,
  ): Promise<CommandAccepted> {
    const { productId, quantity, unitPrice, currency } = body;
    const item = { cartId: id, ownedBy, productId, quantity, unitPrice, currency };
    return this.commands.execute(new AddItemCommand({ item, expectedVersion, metadata }));
  }

  @Delete(':id/items/:productId')
  @ApiOperation({ summary: 'Remove a product from the cart, whatever its quantity' })
  @ApiHeader(IDEMPOTENCY_KEY)
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: CommandAccepted })
  @ApiNotFoundResponse({
    type: ProblemResponse,
    description: `${NOT_FOUND.description}, or cart-item-not-found: the product is not in the cart`,
  })
  @ApiConflictResponse(CHECKED_OUT)
  removeItem(
    @UuidParam('id') id: string,
    @Param('productId', productIdParam) productId: string,
    @Caller() { ownedBy }: Access,
    @IfMatchVersion() expectedVersion: number | undefined,
    @CommandMetadata() metadata: EventMetadata,
  ): Promise<CommandAccepted> {
    return this.commands.execute(
      new RemoveItemCommand({
        removal: { cartId: id, ownedBy, productId },
        expectedVersion,
        metadata,
      }),
    );
  }

  @Put(':id/shipping')
  @ApiOperation({ summary: 'Enter (or replace) the shipping address: personal data' })
  @ApiHeader(IDEMPOTENCY_KEY)
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ type: CommandAccepted })
  @ApiNotFoundResponse(NOT_FOUND)
  @ApiConflictResponse(ERASED)
  enterShipping(
    @UuidParam('id') id: string,
    @Body() body: ShippingInfoRequest,
    @Caller() { ownedBy }: Access,
    @IfMatchVersion() expectedVersion: number | undefined,
    @CommandMetadata() metadata: EventMetadata,
  ): Promise<CommandAccepted> {
    const { name, street, city, postalCode, country } = body;
    const shipping = { cartId: id, ownedBy, name, street, city, postalCode, country };
    return this.commands.execute(
      new EnterShippingInfoCommand({ shipping, expectedVersion, metadata }),
    );
  }

  @Post(':id/checkout')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Check out: the orders context places the order (asynchronously) from CartCheckedOut',
  })
  @ApiHeader(IDEMPOTENCY_KEY)
  @ApiHeader(IF_MATCH)
  @ApiAcceptedResponse({
    type: CheckoutAccepted,
    headers: { Location: { description: '/orders/{orderId}' } },
  })
  @ApiNotFoundResponse(NOT_FOUND)
  @ApiConflictResponse({
    ...ERASED,
    description: `${ERASED.description}. A retry with the same Idempotency-Key gets the first 202 again`,
  })
  @ApiUnprocessableEntityResponse({
    type: ProblemResponse,
    description: 'cart-empty, shipping-info-missing, or cart-total-limit-exceeded',
  })
  async checkOut(
    @UuidParam('id') id: string,
    @Body() body: CheckOutRequest,
    @Caller() { ownedBy }: Access,
    @IfMatchVersion() expectedVersion: number | undefined,
    @CommandMetadata() metadata: EventMetadata,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CheckoutAccepted> {
    const checkout = { cartId: id, ownedBy, accountId: body.accountId };
    const result = await this.commands.execute<CheckOutCommand, CheckoutAccepted>(
      new CheckOutCommand({ checkout, expectedVersion, metadata }),
    );
    response.location(`/orders/${result.orderId}`);
    return result;
  }

  @Get(':id')
  @ReadsFrom('carts')
  @ApiOperation({ summary: 'The cart as the read model holds it; ETag is its version' })
  @ApiVersionedRead({ ok: CartResponse, notFound: 'cart-not-found' })
  async get(
    @UuidParam('id') id: string,
    @Query() _params: ConsistentReadParams,
    @Caller() { ownedBy }: Access,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CartResponse> {
    const cart = await this.queries.execute<GetCartQuery, CartResponse>(
      new GetCartQuery(id, ownedBy),
    );
    return withETag(response, cart);
  }
}
