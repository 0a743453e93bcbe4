export { AccountsModule } from './accounts.module.js';
export type {
  AccountEvent,
  AccountOpened,
  MoneyDeposited,
  MoneyWithdrawn,
  PersonalDataErased,
  WithdrawalRejected,
} from './domain/account.events.js';
export { ACCOUNT_EVENT_TYPES } from './domain/account.events.js';
export {
  WithdrawMoneyCommand,
  type WithdrawalOutcome,
} from './commands/withdraw-money/withdraw-money.command.js';
export { DepositMoneyCommand } from './commands/deposit-money/deposit-money.command.js';
export { OpenAccountCommand } from './commands/open-account/open-account.command.js';
export { ACCOUNTS_INTEGRATION_EVENTS } from './integration/accounts-integration-events.js';
