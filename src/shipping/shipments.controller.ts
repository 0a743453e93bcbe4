import { Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiConflictResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import type { EventMetadata } from '../event-store/index.js';
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
import { DispatchShipmentCommand } from './commands/dispatch-shipment/dispatch-shipment.command.js';
import { GetShipmentQuery } from './queries/get-shipment/get-shipment.query.js';
import { ShipmentResponse } from './queries/get-shipment/shipment.response.js';

@ApiTags('shipping')
@ApiInvalidInputResponse()
@Controller('shipments')
export class ShipmentsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post(':id/dispatch')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Mark the shipment dispatched; the checkout saga then ships its order',
    description: 'A shipment is created for every paid order; GET /orders/{id} names it.',
  })
  @ApiHeader(IDEMPOTENCY_KEY_HEADER)
  @ApiHeader(ifMatchHeader('shipment'))
  @ApiOkResponse({ type: CommandAccepted })
  @ApiNotFoundResponse({ type: ProblemResponse, description: 'shipment-not-found' })
  @ApiConflictResponse({
    type: ProblemResponse,
    description:
      'shipment-already-dispatched, or If-Match is not the current version (version-conflict)',
  })
  dispatch(
    @UuidParam('id') id: string,
    @IfMatchVersion() expectedVersion: number | undefined,
    @CommandMetadata() metadata: EventMetadata,
  ): Promise<CommandAccepted> {
    return this.commands.execute(new DispatchShipmentCommand(id, expectedVersion, metadata));
  }

  @Get(':id')
  @ReadsFrom('shipments')
  @ApiOperation({
    summary: 'The shipment as the read model holds it; ETag is its version',
    description:
      "A customer sees only the shipments of their own orders: another's answers 404 shipment-not-found.",
  })
  @ApiVersionedRead({ ok: ShipmentResponse, notFound: 'shipment-not-found', exampleVersion: 1 })
  async get(
    @UuidParam('id') id: string,
    @Query() _params: ConsistentReadParams,
    @Caller() { ownedBy }: Access,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ShipmentResponse> {
    const shipment = await this.queries.execute<GetShipmentQuery, ShipmentResponse>(
      new GetShipmentQuery(id, ownedBy),
    );
    return withETag(response, shipment);
  }
}
