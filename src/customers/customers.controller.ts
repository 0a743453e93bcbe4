import { Controller, Delete, HttpCode } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiBadRequestResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { EventMetadata } from '../event-store/index.js';
import { CommandAccepted } from '../shared/command-accepted.response.js';
import { ProblemResponse, ValidationProblemResponse } from '../http/problem.js';
import { CommandMetadata, IDEMPOTENCY_KEY_HEADER } from '../http/request-context.js';
import { UuidParam } from '../http/uuid-param.js';
import { Caller, type Access } from '../identity/index.js';
import { EraseCustomerPersonalDataCommand } from './commands/erase-customer-personal-data/erase-customer-personal-data.command.js';

@ApiTags('customers')
@ApiBadRequestResponse({ type: ValidationProblemResponse, description: 'customerId is not a UUID' })
@Controller('customers')
export class CustomersController {
  constructor(private readonly commands: CommandBus) {}

  @Delete(':customerId/personal-data')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Erase a customer's personal data (shipping addresses in carts and orders): their key is destroyed, so it " +
      'reads as "[erased]" everywhere, and CustomerPersonalDataErased is recorded; erasing again changes nothing. ' +
      'Any customer id is accepted, seen before or not: none of their personal data can be stored afterwards',
    description:
      'An admin erases anyone. A customer erases only their own (their customer id, in any case): any other id ' +
      'answers 404 customer-not-found, whether or not that customer exists.',
  })
  @ApiHeader(IDEMPOTENCY_KEY_HEADER)
  @ApiOkResponse({ type: CommandAccepted })
  @ApiNotFoundResponse({
    type: ProblemResponse,
    description: "customer-not-found: a customer's request for someone else's personal data",
  })
  erasePersonalData(
    @UuidParam('customerId') customerId: string,
    @Caller() { ownedBy }: Access,
    @CommandMetadata() metadata: EventMetadata,
  ): Promise<CommandAccepted> {
    return this.commands.execute(
      new EraseCustomerPersonalDataCommand(customerId, ownedBy, metadata),
    );
  }
}
