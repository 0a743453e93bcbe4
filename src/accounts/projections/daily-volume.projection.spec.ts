import { at, projectionSpecFor } from '../../projections/testing/entity-projection-spec.js';
import type { AccountEvent } from '../domain/account.events.js';
import { dailyVolumes, volumeCurrencies, type MoneyEvent } from './daily-volume.projection.js';

const accountId = '5e1c2d3e-0000-4000-8000-000000000001';
const deposited = (amount: number, currency = 'EUR'): MoneyEvent => ({
  type: 'MoneyDeposited',
  data: { accountId, amount, source: 'cash' },
  currency,
});
const withdrawn = (amount: number): MoneyEvent => ({
  type: 'MoneyWithdrawn',
  data: { accountId, amount },
  currency: 'EUR',
});
const rejected: MoneyEvent = {
  type: 'WithdrawalRejected',
  data: { accountId, amount: 900, reason: 'insufficient-funds', balance: 0 },
  currency: 'EUR',
};
const zero = {
  depositCount: 0,
  depositSum: 0,
  withdrawalCount: 0,
  withdrawalSum: 0,
  rejectedCount: 0,
};

describe('account_daily_volume', () => {
  const given = projectionSpecFor(dailyVolumes);

  it('counts and sums money per UTC day and currency, refusals counted apart', () => {
    given([
      at(deposited(500), 2, '2026-12-01T10:00:00.000Z'),
      at(withdrawn(200), 3, '2026-12-01T23:59:59.999Z'),
      at(rejected, 4, '2026-12-01T12:00:00.000Z'),
      at(deposited(100), 5, '2026-12-02T00:00:00.000Z'),
      at(deposited(700, 'USD'), 2, '2026-12-01T11:00:00.000Z'),
    ]).then([
      {
        ...zero,
        day: '2026-12-01',
        currency: 'EUR',
        depositCount: 1,
        depositSum: 500,
        withdrawalCount: 1,
        withdrawalSum: 200,
        rejectedCount: 1,
      },
      { ...zero, day: '2026-12-02', currency: 'EUR', depositCount: 1, depositSum: 100 },
      { ...zero, day: '2026-12-01', currency: 'USD', depositCount: 1, depositSum: 700 },
    ]);
  });
});

describe('account_daily_volume_currencies', () => {
  const given = projectionSpecFor(volumeCurrencies);
  const opened: AccountEvent = {
    type: 'AccountOpened',
    data: { accountId, ownerName: 'Ada', currency: 'GBP', ownerId: null },
  };

  it("keeps each account's currency from its opening", () => {
    given([
      at(opened, 1, '2026-12-01T10:00:00.000Z'),
      at(
        { type: 'MoneyDeposited', data: { accountId, amount: 5, source: 'cash' } },
        2,
        '2026-12-01T10:01:00.000Z',
      ),
    ]).then([{ accountId, currency: 'GBP' }]);
  });
});
