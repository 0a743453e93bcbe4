import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PersistedEvent } from '../../event-store/index.js';
import { Projection, type ProjectionHandler } from '../../projections/projection.js';
import { ACCOUNT_EVENT_TYPES, type AccountEvent } from '../domain/account.events.js';
import type { AccountDailyVolume } from './account-daily-volume.entity.js';

const utcDay = (instant: Date) => instant.toISOString().slice(0, 10);

/**
 * Daily money volume per currency. Money events carry only the account id, so AccountOpened feeds a lookup
 * table of this projection's own (a rebuild never depends on another read model). A batch is summed in memory
 * per (day, currency), then added to the stored rows with one upsert.
 */
@Projection('account-daily-volume')
@Injectable()
export class DailyVolumeProjection implements ProjectionHandler {
  readonly eventTypes = ACCOUNT_EVENT_TYPES;
  readonly tables = ['account_daily_volume', 'account_daily_volume_currencies'];

  async apply(events: readonly PersistedEvent[], tx: EntityManager): Promise<void> {
    const batch = events.map((stored) => ({
      stored,
      event: { type: stored.type, data: stored.data } as AccountEvent,
    }));
    const opened = new Map<string, string>();
    for (const { event } of batch) {
      if (event.type === 'AccountOpened') opened.set(event.data.accountId, event.data.currency);
    }
    const currencies = await this.currenciesOf(
      batch.map(({ event }) => event.data.accountId),
      opened,
      tx,
    );

    const totals = new Map<string, AccountDailyVolume>();
    for (const { stored, event } of batch) {
      if (event.type === 'AccountOpened' || event.type === 'PersonalDataErased') continue;
      const currency = currencies.get(event.data.accountId);
      // Skipping it would under-report money unseen; failing dead-letters the event where it can be seen.
      if (!currency) {
        throw new Error(
          `${event.type} for account ${event.data.accountId}, which was never opened`,
        );
      }
      const day = utcDay(stored.recordedAt);
      const key = `${day} ${currency}`;
      let row = totals.get(key);
      if (!row) {
        row = {
          day,
          currency,
          depositCount: 0,
          depositSum: 0,
          withdrawalCount: 0,
          withdrawalSum: 0,
          rejectedCount: 0,
        };
        totals.set(key, row);
      }
      switch (event.type) {
        case 'MoneyDeposited':
          row.depositCount += 1;
          row.depositSum += event.data.amount;
          break;
        case 'MoneyWithdrawn':
          row.withdrawalCount += 1;
          row.withdrawalSum += event.data.amount;
          break;
        case 'WithdrawalRejected':
          row.rejectedCount += 1;
          break;
        default: {
          const unhandled: never = event;
          throw new Error(`Unhandled event ${(unhandled as AccountEvent).type}`);
        }
      }
    }

    if (opened.size > 0) {
      await tx.query(
        `INSERT INTO account_daily_volume_currencies (account_id, currency)
         SELECT * FROM unnest($1::uuid[], $2::char(3)[])
         ON CONFLICT (account_id) DO NOTHING`,
        [[...opened.keys()], [...opened.values()]],
      );
    }
    if (totals.size > 0) {
      const rows = [...totals.values()];
      await tx.query(
        `INSERT INTO account_daily_volume
           (day, currency, deposit_count, deposit_sum, withdrawal_count, withdrawal_sum, rejected_count)
         SELECT * FROM unnest($1::date[], $2::char(3)[], $3::int[], $4::bigint[], $5::int[], $6::bigint[], $7::int[])
         ON CONFLICT (day, currency) DO UPDATE SET
           deposit_count = account_daily_volume.deposit_count + EXCLUDED.deposit_count,
           deposit_sum = account_daily_volume.deposit_sum + EXCLUDED.deposit_sum,
           withdrawal_count = account_daily_volume.withdrawal_count + EXCLUDED.withdrawal_count,
           withdrawal_sum = account_daily_volume.withdrawal_sum + EXCLUDED.withdrawal_sum,
           rejected_count = account_daily_volume.rejected_count + EXCLUDED.rejected_count`,
        [
          rows.map((r) => r.day),
          rows.map((r) => r.currency),
          rows.map((r) => r.depositCount),
          rows.map((r) => r.depositSum),
          rows.map((r) => r.withdrawalCount),
          rows.map((r) => r.withdrawalSum),
          rows.map((r) => r.rejectedCount),
        ],
      );
    }
  }

  /** The currency of every account in the batch: opened in it, or looked up from earlier batches. */
  private async currenciesOf(
    accountIds: string[],
    opened: ReadonlyMap<string, string>,
    tx: EntityManager,
  ): Promise<Map<string, string>> {
    const earlier = [...new Set(accountIds)].filter((id) => !opened.has(id));
    const rows: Array<{ account_id: string; currency: string }> =
      earlier.length === 0
        ? []
        : await tx.query(
            `SELECT account_id, currency FROM account_daily_volume_currencies WHERE account_id = ANY($1::uuid[])`,
            [earlier],
          );
    return new Map([...rows.map((r) => [r.account_id, r.currency] as const), ...opened]);
  }
}
