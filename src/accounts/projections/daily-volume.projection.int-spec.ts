import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  scratchDatabase,
  scratchDataSource,
  storeOn,
  type ScratchDatabase,
} from '../../../test/support/database.js';
import { startTestApp } from '../../../test/support/test-app.js';
import type { RunningApp } from '../../app.factory.js';
import type { PersistedEvent } from '../../event-store/index.js';
import { persistedEvent } from '../../event-store/testing/persisted-events.js';
import { ProjectionRunner } from '../../projections/index.js';
import { ACCOUNT_EVENT_TYPES } from '../domain/account.events.js';
import { AccountDailyVolumeCurrency } from './account-daily-volume-currency.entity.js';
import { AccountDailyVolume } from './account-daily-volume.entity.js';
import { DailyVolumeProjection } from './daily-volume.projection.js';

const NAME = 'account-daily-volume';

const stored = (type: string, data: Record<string, unknown>, recordedAt: string) =>
  persistedEvent({ type, data }, { streamId: `account-${data.accountId as string}`, recordedAt });
const opened = (accountId: string, currency: string, at: string) =>
  stored('AccountOpened', { accountId, ownerName: 'Ada Lovelace', currency }, at);
const deposited = (accountId: string, amount: number, at: string) =>
  stored('MoneyDeposited', { accountId, amount }, at);
const withdrawn = (accountId: string, amount: number, at: string) =>
  stored('MoneyWithdrawn', { accountId, amount }, at);
const rejected = (accountId: string, amount: number, at: string) =>
  stored('WithdrawalRejected', { accountId, amount, reason: 'insufficient-funds', balance: 0 }, at);

const volume = (
  day: string,
  currency: string,
  totals: Partial<Omit<AccountDailyVolume, 'day' | 'currency'>>,
) => ({
  day,
  currency,
  depositCount: 0,
  depositSum: 0,
  withdrawalCount: 0,
  withdrawalSum: 0,
  rejectedCount: 0,
  ...totals,
});

const rowsOf = (dataSource: DataSource) =>
  dataSource.getRepository(AccountDailyVolume).find({ order: { day: 'ASC', currency: 'ASC' } });
const currenciesOf = (dataSource: DataSource) =>
  dataSource.query(
    'SELECT account_id, currency FROM account_daily_volume_currencies ORDER BY account_id',
  );

describe('DailyVolumeProjection', () => {
  describe('apply', () => {
    const projection = new DailyVolumeProjection();
    let scratch: ScratchDatabase;
    let dataSource: DataSource;
    const apply = (events: PersistedEvent[]) =>
      dataSource.transaction((tx) => projection.apply(events, tx));

    beforeAll(async () => {
      const entities = [AccountDailyVolume, AccountDailyVolumeCurrency];
      ({ scratch, dataSource } = await scratchDataSource(entities));
    });
    beforeEach(() =>
      dataSource.query('TRUNCATE account_daily_volume, account_daily_volume_currencies'),
    );
    afterAll(() => scratch?.drop());

    it('sums one batch per UTC day and currency, several events on one row included', async () => {
      const eur = randomUUID();
      const usd = randomUUID();

      await apply([
        opened(eur, 'EUR', '2025-03-31T09:00:00Z'),
        deposited(eur, 10_000, '2025-03-31T09:00:00Z'),
        opened(usd, 'USD', '2025-03-31T10:00:00Z'),
        deposited(eur, 2_500, '2025-03-31T23:59:59.999Z'),
        deposited(usd, 700, '2025-04-01T01:30:00+02:00'),
        withdrawn(eur, 4_000, '2025-04-01T00:00:00.000Z'),
        rejected(eur, 99_999, '2025-04-01T10:00:00Z'),
        withdrawn(usd, 200, '2025-04-01T00:00:00.001Z'),
        withdrawn(eur, 1_000, '2025-04-01T23:59:59.999Z'),
        rejected(eur, 50_000, '2025-04-01T23:59:59.999Z'),
      ]);

      expect(await rowsOf(dataSource)).toEqual([
        volume('2025-03-31', 'EUR', { depositCount: 2, depositSum: 12_500 }),
        volume('2025-03-31', 'USD', { depositCount: 1, depositSum: 700 }),
        volume('2025-04-01', 'EUR', { withdrawalCount: 2, withdrawalSum: 5_000, rejectedCount: 2 }),
        volume('2025-04-01', 'USD', { withdrawalCount: 1, withdrawalSum: 200 }),
      ]);
      expect(await currenciesOf(dataSource)).toEqual(
        [
          { account_id: eur, currency: 'EUR' },
          { account_id: usd, currency: 'USD' },
        ].sort((a, b) => a.account_id.localeCompare(b.account_id)),
      );
    });

    it('adds later batches onto the stored rows, for accounts opened in an earlier batch', async () => {
      const eur = randomUUID();
      const gbp = randomUUID();
      await apply([
        opened(eur, 'EUR', '2025-06-01T08:00:00Z'),
        deposited(eur, 100, '2025-06-01T08:00:00Z'),
      ]);
      await apply([opened(gbp, 'GBP', '2025-06-01T09:00:00Z')]);
      expect(await rowsOf(dataSource)).toEqual([
        volume('2025-06-01', 'EUR', { depositCount: 1, depositSum: 100 }),
      ]);

      await apply([
        deposited(eur, 40, '2025-06-01T12:00:00Z'),
        withdrawn(eur, 30, '2025-06-01T13:00:00Z'),
        deposited(gbp, 5, '2025-06-01T14:00:00Z'),
      ]);
      await apply([
        rejected(gbp, 6, '2025-06-02T00:00:00Z'),
        withdrawn(eur, 10, '2025-06-01T15:00:00Z'),
      ]);

      expect(await rowsOf(dataSource)).toEqual([
        volume('2025-06-01', 'EUR', {
          depositCount: 2,
          depositSum: 140,
          withdrawalCount: 2,
          withdrawalSum: 40,
        }),
        volume('2025-06-01', 'GBP', { depositCount: 1, depositSum: 5 }),
        volume('2025-06-02', 'GBP', { rejectedCount: 1 }),
      ]);
    });

    it('keeps sums past 2^31 exact in bigint', async () => {
      const jpy = randomUUID();
      await apply([
        opened(jpy, 'JPY', '2025-01-01T00:00:00Z'),
        deposited(jpy, 1_000_000_000_000, '2025-01-01T00:00:00Z'),
        deposited(jpy, 999_999_999_999, '2025-01-01T12:00:00Z'),
      ]);
      await apply([withdrawn(jpy, 3_000_000_000, '2025-01-01T18:00:00Z')]);

      expect(await rowsOf(dataSource)).toEqual([
        volume('2025-01-01', 'JPY', {
          depositCount: 2,
          depositSum: 1_999_999_999_999,
          withdrawalCount: 1,
          withdrawalSum: 3_000_000_000,
        }),
      ]);
    });

    it('refuses a money event of an account it never saw opened, and writes none of the batch', async () => {
      const known = randomUUID();
      const stranger = randomUUID();

      await expect(
        apply([
          opened(known, 'CHF', '2025-02-01T00:00:00Z'),
          deposited(known, 10, '2025-02-01T00:00:00Z'),
          deposited(stranger, 20, '2025-02-01T00:00:00Z'),
        ]),
      ).rejects.toThrow(`MoneyDeposited for account ${stranger}, which was never opened`);

      expect(await rowsOf(dataSource)).toEqual([]);
      expect(await currenciesOf(dataSource)).toEqual([]);
    });
  });

  describe('in the runner, born after the events', () => {
    const eur = randomUUID();
    const usd = randomUUID();
    let scratch: ScratchDatabase;
    let store: ReturnType<typeof storeOn>;
    let running: RunningApp;
    let backFilled: ReturnType<typeof volume>[];
    const runner = () => running.app.get(ProjectionRunner);
    const rows = () => rowsOf(running.app.get(DataSource));
    const utcDay = (event: PersistedEvent) => event.recordedAt.toISOString().slice(0, 10);

    beforeAll(async () => {
      scratch = await scratchDatabase(4);
      store = storeOn(scratch.pool, ...ACCOUNT_EVENT_TYPES);
    });
    afterAll(async () => {
      await running?.close();
      await scratch.drop();
    });

    it('back-fills from the start of the log on its first start', async () => {
      const { events: eurEvents } = await store.append(`account-${eur}`, [
        { type: 'AccountOpened', data: { accountId: eur, ownerName: 'Early', currency: 'EUR' } },
        { type: 'MoneyDeposited', data: { accountId: eur, amount: 10_000 } },
        { type: 'MoneyWithdrawn', data: { accountId: eur, amount: 2_500 } },
        {
          type: 'WithdrawalRejected',
          data: { accountId: eur, amount: 9_000, reason: 'insufficient-funds', balance: 7_500 },
        },
        { type: 'MoneyDeposited', data: { accountId: eur, amount: 1 } },
      ]);
      const { events: usdEvents } = await store.append(`account-${usd}`, [
        { type: 'AccountOpened', data: { accountId: usd, ownerName: 'Early', currency: 'USD' } },
        { type: 'MoneyDeposited', data: { accountId: usd, amount: 300 } },
      ]);
      const { rows: checkpoint } = await scratch.pool.query(
        'SELECT name FROM projection_checkpoints WHERE name = $1',
        [NAME],
      );
      expect(checkpoint).toEqual([]);

      running = await startTestApp({ databaseUrl: scratch.url });
      expect(await runner().waitFor(usdEvents[1].globalPosition, [NAME], 10_000)).toBe(true);

      backFilled = [
        volume(utcDay(eurEvents[0]), 'EUR', {
          depositCount: 2,
          depositSum: 10_001,
          withdrawalCount: 1,
          withdrawalSum: 2_500,
          rejectedCount: 1,
        }),
        volume(utcDay(usdEvents[0]), 'USD', { depositCount: 1, depositSum: 300 }),
      ].sort((a, b) => a.day.localeCompare(b.day));
      expect(await rows()).toEqual(backFilled);
    });

    it('rebuilds the same rows and its own lookup from the log alone', async () => {
      // Neither the accounts projection's tables nor this projection's current rows may feed the rebuild.
      await scratch.pool.query('TRUNCATE account_balances, account_transactions');
      await scratch.pool.query('UPDATE account_daily_volume SET deposit_sum = 0');
      await scratch.pool.query(`UPDATE account_daily_volume_currencies SET currency = 'XXX'`);

      await runner().rebuild(NAME);

      expect(await rows()).toEqual(backFilled);
      expect(await currenciesOf(running.app.get(DataSource))).toEqual(
        [
          { account_id: eur, currency: 'EUR' },
          { account_id: usd, currency: 'USD' },
        ].sort((a, b) => a.account_id.localeCompare(b.account_id)),
      );
    });

    it('carries on live on the rebuilt tables', async () => {
      const { events } = await store.append(`account-${usd}`, [
        { type: 'MoneyWithdrawn', data: { accountId: usd, amount: 100 } },
      ]);
      expect(await runner().waitFor(events[0].globalPosition, [NAME], 10_000)).toBe(true);

      const usdRows = (await rows()).filter((row) => row.currency === 'USD');
      expect(usdRows).toContainEqual(
        expect.objectContaining({ day: utcDay(events[0]), withdrawalCount: 1, withdrawalSum: 100 }),
      );
      expect(usdRows.reduce((sum, row) => sum + row.depositSum, 0)).toBe(300);
    });
  });
});
