import { randomUUID } from 'node:crypto';
import { Body, Controller, Delete, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { deterministicUuid, type EventMetadata } from '../event-store/index.js';
import { ReadsFrom } from '../http/consistency.guard.js';
import {
  ProblemResponse,
  RequestValidationError,
  ValidationProblemResponse,
} from '../http/problem.js';
import {
  CommandMetadata,
  IDEMPOTENCY_KEY_HEADER,
  IfMatchVersion,
  ifMatchHeader,
} from '../http/request-context.js';
import { ApiConsistencyTimeoutResponse, ApiVersionedRead } from '../http/read-responses.js';
import { stacked } from '../http/stacked.js';
import { UuidParam } from '../http/uuid-param.js';
import { CommandAccepted } from '../shared/command-accepted.response.js';
import { Caller, type Access } from '../identity/index.js';
import {
  AccountParams,
  EventsParams,
  HistoryParams,
  TransactionsParams,
} from './accounts.params.js';
import { DepositMoneyCommand } from './commands/deposit-money/deposit-money.command.js';
import { ErasePersonalDataCommand } from './commands/erase-personal-data/erase-personal-data.command.js';
import {
  DepositMoneyRequest,
  MoneyMovementRequest,
} from './commands/deposit-money/deposit-money.request.js';
import { OpenAccountCommand } from './commands/open-account/open-account.command.js';
import { OpenAccountRequest } from './commands/open-account/open-account.request.js';
import {
  WithdrawMoneyCommand,
  type WithdrawalOutcome,
} from './commands/withdraw-money/withdraw-money.command.js';
import { withdrawalRefusal } from './commands/withdraw-money/withdrawal-refusal.js';
import { AccountResponse } from './queries/get-account/account.response.js';
import { GetAccountQuery } from './queries/get-account/get-account.query.js';
import { AccountAsOfResponse } from './queries/get-account-as-of/account-as-of.response.js';
import { GetAccountAsOfQuery } from './queries/get-account-as-of/get-account-as-of.query.js';
import { AccountHistoryPage } from './queries/get-account-history/account-history.response.js';
import { GetAccountHistoryQuery } from './queries/get-account-history/get-account-history.query.js';
import { GetAccountEventsQuery } from './queries/get-account-events/get-account-events.query.js';
import { EventsPage } from './queries/get-account-events/stored-event.response.js';
import { GetAccountTransactionsQuery } from './queries/get-account-transactions/get-account-transactions.query.js';
import { TransactionsPage } from './queries/get-account-transactions/transactions-page.response.js';

const IDEMPOTENCY_KEY = IDEMPOTENCY_KEY_HEADER;
const IF_MATCH = ifMatchHeader('account');

/** Swagger: a deposit or a withdrawal, both idempotent and conditional on If-Match. */
const ApiMoneyMovement = () =>
  stacked(
    ApiHeader(IDEMPOTENCY_KEY),
    ApiHeader(IF_MATCH),
    ApiCreatedResponse({ type: CommandAccepted }),
    ApiNotFoundResponse({ type: ProblemResponse, description: 'account-not-found' }),
    ApiConflictResponse({
      type: ProblemResponse,
      description: 'If-Match is not the current version (version-conflict, with `currentVersion`)',
    }),
  );

@ApiTags('accounts')
@ApiBadRequestResponse({
  type: ValidationProblemResponse,
  description: 'Invalid input; every offending field is named',
})
@Controller('accounts')
export class AccountsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Open an account' })
  @ApiHeader(IDEMPOTENCY_KEY)
  @ApiCreatedResponse({
    type: CommandAccepted,
    headers: { Location: { description: '/accounts/{id}' } },
  })
  async open(
    @Body() body: OpenAccountRequest,
    @Caller() caller: Access,
    @CommandMetadata() metadata: EventMetadata,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CommandAccepted> {
    // Derived from the command id, so a retried Idempotency-Key opens the same account, not a second one.
    const id = deterministicUuid('account', metadata.commandId ?? randomUUID());
    const { ownerName, currency, initialDeposit } = body;
    const ownerId = caller.principal.customerId;
    const result = await this.commands.execute<OpenAccountCommand, CommandAccepted>(
      new OpenAccountCommand(
        { accountId: id, ownerName, currency, initialDeposit, ownerId },
        metadata,
      ),
    );
    response.location(`/accounts/${id}`);
    return result;
  }

  @Post(':id/deposits')
  @ApiOperation({ summary: 'Deposit money (minor units), with where it came from' })
  @ApiMoneyMovement()
  deposit(
    @UuidParam('id') id: string,
    @Body() body: DepositMoneyRequest,
    @Caller() { ownedBy }: Access,
    @IfMatchVersion() expectedVersion: number | undefined,
    @CommandMetadata() metadata: EventMetadata,
  ): Promise<CommandAccepted> {
    const { amount, description, source } = body;
    return this.commands.execute(
      new DepositMoneyCommand({
        deposit: { accountId: id, amount, description, source, ownedBy },
        expectedVersion,
        metadata,
      }),
    );
  }

  @Post(':id/withdrawals')
  @ApiOperation({
    summary: 'Withdraw money; a refusal is recorded as WithdrawalRejected and answered 422',
  })
  @ApiMoneyMovement()
  @ApiUnprocessableEntityResponse({
    type: ProblemResponse,
    description:
      'insufficient-funds, with `balance` and `amount`, and the `version` and `position` of the ' +
      'WithdrawalRejected it recorded',
  })
  async withdraw(
    @UuidParam('id') id: string,
    @Body() body: MoneyMovementRequest,
    @Caller() { ownedBy }: Access,
    @IfMatchVersion() expectedVersion: number | undefined,
    @CommandMetadata() metadata: EventMetadata,
  ): Promise<CommandAccepted> {
    const { amount, description } = body;
    const result = await this.commands.execute<WithdrawMoneyCommand, WithdrawalOutcome>(
      new WithdrawMoneyCommand({
        withdrawal: { accountId: id, amount, description, ownedBy },
        expectedVersion,
        metadata,
      }),
    );
    if (result.outcome === 'rejected') throw withdrawalRefusal(result);
    return { id: result.id, version: result.version, position: result.position };
  }

  @Delete(':id/personal-data')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Erase the owner\'s personal data: its key is destroyed, so the name reads as "[erased]" everywhere, ' +
      'and PersonalDataErased is recorded; erasing again changes nothing',
  })
  @ApiHeader(IDEMPOTENCY_KEY)
  @ApiOkResponse({ type: CommandAccepted })
  @ApiNotFoundResponse({ type: ProblemResponse, description: 'account-not-found' })
  erasePersonalData(
    @UuidParam('id') id: string,
    @Caller() { ownedBy }: Access,
    @CommandMetadata() metadata: EventMetadata,
  ): Promise<CommandAccepted> {
    return this.commands.execute(
      new ErasePersonalDataCommand({ accountId: id, ownedBy }, metadata),
    );
  }

  @Get(':id')
  @ReadsFrom('accounts')
  @ApiOperation({
    summary:
      'The account as the read model holds it (ETag is its version), or with asOf / atVersion as it was then, ' +
      'rebuilt from its events',
  })
  @ApiExtraModels(AccountResponse, AccountAsOfResponse)
  @ApiVersionedRead({
    ok: {
      description:
        'AccountResponse; with asOf or atVersion, the time-travel answer AccountAsOfResponse (no ETag)',
      schema: {
        // anyOf, not oneOf: a time-travel answer (AccountResponse and `recordedAt`) also matches AccountResponse.
        anyOf: [
          { $ref: getSchemaPath(AccountResponse) },
          { $ref: getSchemaPath(AccountAsOfResponse) },
        ],
      },
    },
    notFound:
      'No such account (account-not-found), not opened yet at asOf (account-not-yet-opened, with `openedAt`), ' +
      'or atVersion past the current version (account-version-not-found, with `currentVersion`)',
  })
  async get(
    @UuidParam('id') id: string,
    @Query() params: AccountParams,
    @Caller() { ownedBy }: Access,
    @Res({ passthrough: true }) response: Response,
  ): Promise<AccountResponse | AccountAsOfResponse> {
    const { asOf, atVersion } = params;
    if (asOf !== undefined && atVersion !== undefined) {
      const messages = ['asOf and atVersion cannot be combined: pass one of them'];
      throw new RequestValidationError([
        { field: 'asOf', messages },
        { field: 'atVersion', messages },
      ]);
    }
    if (asOf !== undefined || atVersion !== undefined) {
      const point = asOf !== undefined ? { asOf: new Date(asOf) } : { atVersion: atVersion! };
      // Time travel folds the events, which only the primary's event store serves.
      response.setHeader('X-Read-Source', 'primary');
      return this.queries.execute(new GetAccountAsOfQuery(id, point, ownedBy));
    }
    const account = await this.queries.execute<GetAccountQuery, AccountResponse>(
      new GetAccountQuery(id, ownedBy),
    );
    response.setHeader('ETag', `"${account.version}"`);
    return account;
  }

  @Get(':id/history')
  @ApiOperation({
    summary:
      'The balance after every event, rejected withdrawals included, rebuilt from the event store; a page at a time',
  })
  @ApiOkResponse({ type: AccountHistoryPage })
  @ApiNotFoundResponse({ type: ProblemResponse, description: 'account-not-found' })
  history(
    @UuidParam('id') id: string,
    @Query() params: HistoryParams,
    @Caller() { ownedBy }: Access,
  ): Promise<AccountHistoryPage> {
    return this.queries.execute(
      new GetAccountHistoryQuery({
        accountId: id,
        fromVersion: params.fromVersion ?? 1,
        limit: params.limit ?? 100,
        ownedBy,
      }),
    );
  }

  @Get(':id/transactions')
  @ReadsFrom('accounts')
  @ApiOperation({ summary: 'Statement lines, oldest first, a page at a time' })
  @ApiOkResponse({ type: TransactionsPage })
  @ApiNotFoundResponse({ type: ProblemResponse, description: 'account-not-found' })
  @ApiConsistencyTimeoutResponse()
  transactions(
    @UuidParam('id') id: string,
    @Query() params: TransactionsParams,
    @Caller() { ownedBy }: Access,
  ): Promise<TransactionsPage> {
    return this.queries.execute(
      new GetAccountTransactionsQuery({
        accountId: id,
        limit: params.limit ?? 50,
        after: params.after ?? 0,
        ownedBy,
      }),
    );
  }

  @Get(':id/events')
  @ApiOperation({ summary: 'The raw event stream with metadata: the audit trail' })
  @ApiOkResponse({ type: EventsPage })
  @ApiNotFoundResponse({ type: ProblemResponse, description: 'account-not-found' })
  events(@UuidParam('id') id: string, @Query() params: EventsParams): Promise<EventsPage> {
    return this.queries.execute(
      new GetAccountEventsQuery(id, params.fromVersion ?? 1, params.limit ?? 100),
    );
  }
}
