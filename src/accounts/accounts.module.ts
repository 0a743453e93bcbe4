import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventTypeRegistry } from '../event-store/index.js';
import { IntegrationEventRegistry } from '../integration/index.js';
import { LiveModule } from '../live/index.js';
import { AccountRepository } from './account.repository.js';
import { AccountsController } from './accounts.controller.js';
import { AccountsLiveController } from './accounts-live.controller.js';
import { DepositMoneyHandler } from './commands/deposit-money/deposit-money.handler.js';
import { ErasePersonalDataHandler } from './commands/erase-personal-data/erase-personal-data.handler.js';
import { OpenAccountHandler } from './commands/open-account/open-account.handler.js';
import { WithdrawMoneyHandler } from './commands/withdraw-money/withdraw-money.handler.js';
import { ACCOUNT_EVENT_DEFINITIONS } from './domain/account.events.js';
import { ACCOUNTS_INTEGRATION_EVENTS } from './integration/accounts-integration-events.js';
import { AccountBalance } from './projections/account-balance.entity.js';
import { AccountDailyVolumeCurrency } from './projections/account-daily-volume-currency.entity.js';
import { AccountDailyVolume } from './projections/account-daily-volume.entity.js';
import { AccountTransaction } from './projections/account-transaction.entity.js';
import { AccountsProjection } from './projections/accounts.projection.js';
import { DailyVolumeProjection } from './projections/daily-volume.projection.js';
import { GetAccountHandler } from './queries/get-account/get-account.handler.js';
import { GetAccountAsOfHandler } from './queries/get-account-as-of/get-account-as-of.handler.js';
import { GetAccountEventsHandler } from './queries/get-account-events/get-account-events.handler.js';
import { GetAccountStreamHandler } from './queries/get-account-stream/get-account-stream.handler.js';
import { GetAccountHistoryHandler } from './queries/get-account-history/get-account-history.handler.js';
import { GetAccountTransactionsHandler } from './queries/get-account-transactions/get-account-transactions.handler.js';
import { GetDailyVolumeHandler } from './queries/get-daily-volume/get-daily-volume.handler.js';
import { ReportsController } from './reports.controller.js';

@Module({
  imports: [
    LiveModule,
    TypeOrmModule.forFeature([
      AccountBalance,
      AccountTransaction,
      AccountDailyVolume,
      AccountDailyVolumeCurrency,
    ]),
  ],
  controllers: [AccountsController, AccountsLiveController, ReportsController],
  providers: [
    AccountRepository,
    OpenAccountHandler,
    DepositMoneyHandler,
    WithdrawMoneyHandler,
    ErasePersonalDataHandler,
    GetAccountHandler,
    GetAccountTransactionsHandler,
    GetAccountEventsHandler,
    GetAccountAsOfHandler,
    GetAccountHistoryHandler,
    GetAccountStreamHandler,
    AccountsProjection,
    GetDailyVolumeHandler,
    DailyVolumeProjection,
  ],
})
export class AccountsModule implements OnModuleInit {
  constructor(
    private readonly registry: EventTypeRegistry,
    private readonly integration: IntegrationEventRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(...ACCOUNT_EVENT_DEFINITIONS);
    this.integration.register(ACCOUNTS_INTEGRATION_EVENTS);
  }
}
