import type { WithdrawalRejected } from '../../domain/account.events.js';
import { CurrencyMismatch, InsufficientFunds } from '../../domain/account.errors.js';
import type { Recorded } from '../../../shared/command-outcome.js';

/** The 422 for a refusal already recorded: its reason, with where WithdrawalRejected was stored. */
export function withdrawalRefusal({
  id,
  version,
  position,
  event,
}: Recorded & { event: WithdrawalRejected }): InsufficientFunds | CurrencyMismatch {
  const { reason, balance, amount, currency } = event.data;
  const recorded = { version, position };
  if (reason === 'currency-mismatch')
    return new CurrencyMismatch(id, currency ?? '', amount, recorded);
  return new InsufficientFunds(id, balance, amount, recorded);
}
