import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PersistedEvent } from '../../event-store/index.js';
import {
  compositeId,
  type EntityProjection,
  EntityWriter,
  type ProjectedEvent,
  Projection,
  type ReadModel,
} from '../../projections/index.js';
import {
  ACCOUNT_EVENT_TYPES,
  type AccountEvent,
  type MoneyDeposited,
  type MoneyWithdrawn,
  type WithdrawalRejected,
} from '../domain/account.events.js';
import { AccountDailyVolumeCurrency } from './account-daily-volume-currency.entity.js';
import { AccountDailyVolume } from './account-daily-volume.entity.js';

/** A money event with the currency of its account, which it does not carry itself. */
export type MoneyEvent = (MoneyDeposited | MoneyWithdrawn | WithdrawalRejected) & {
  currency: string;
};

const utcDay = (instant: Date) => instant.toISOString().slice(0, 10);

/** Counts and sums per UTC day (of the event's recorded_at) and currency. */
export function evolveVolume(
  row: AccountDailyVolume | null,
  event: ProjectedEvent<MoneyEvent>,
): AccountDailyVolume {
  const volume = row ?? {
    day: utcDay(event.recordedAt),
    currency: event.currency,
    depositCount: 0,
    depositSum: 0,
    withdrawalCount: 0,
    withdrawalSum: 0,
    rejectedCount: 0,
  };
  switch (event.type) {
    case 'MoneyDeposited':
      return {
        ...volume,
        depositCount: volume.depositCount + 1,
        depositSum: volume.depositSum + event.data.amount,
      };
    case 'MoneyWithdrawn':
      return {
        ...volume,
        withdrawalCount: volume.withdrawalCount + 1,
        withdrawalSum: volume.withdrawalSum + event.data.amount,
      };
    case 'WithdrawalRejected':
      return { ...volume, rejectedCount: volume.rejectedCount + 1 };
    default: {
      const unhandled: never = event;
      throw new Error(`Unhandled event ${(unhandled as AccountEvent).type}`);
    }
  }
}

/** `account_daily_volume`, fed money events that carry their account's currency. */
export const dailyVolumes: EntityProjection<AccountDailyVolume, MoneyEvent> = {
  entity: AccountDailyVolume,
  rowId: (event) => compositeId(utcDay(event.recordedAt), event.currency),
  evolve: evolveVolume,
};

/** `account_daily_volume_currencies`: each account's currency, from AccountOpened; read for every event. */
export const volumeCurrencies: EntityProjection<AccountDailyVolumeCurrency, AccountEvent> = {
  entity: AccountDailyVolumeCurrency,
  rowId: (event) => event.data.accountId,
  evolve: (row, event) =>
    row ??
    (event.type === 'AccountOpened'
      ? { accountId: event.data.accountId, currency: event.data.currency }
      : null),
  insertOnly: ['currency'],
};

/**
 * Daily money volume per currency. Money events carry only the account id, so AccountOpened feeds a lookup table
 * of this projection's own (a rebuild never depends on another read model); the batch's money events, given their
 * account's currency, then fold into the day's rows.
 */
// A class, not a declaration: a money event's row is keyed by its account's currency, another entity's row.
@Projection('account-daily-volume')
@Injectable()
export class DailyVolumeProjection implements ReadModel {
  readonly eventTypes = ACCOUNT_EVENT_TYPES;
  readonly tables = ['account_daily_volume', 'account_daily_volume_currencies'];

  async apply(events: readonly PersistedEvent[], tx: EntityManager): Promise<void> {
    const currencies = new EntityWriter(volumeCurrencies, tx);
    await currencies.write(events);
    const money: Array<ProjectedEvent<MoneyEvent>> = [];
    for (const stored of events) {
      const event = stored as unknown as ProjectedEvent<AccountEvent>;
      if (event.type === 'AccountOpened' || event.type === 'PersonalDataErased') continue;
      const currency = currencies.row(event.data.accountId)?.currency;
      // Skipping it would under-report money unseen; failing dead-letters the event where it can be seen.
      if (!currency) {
        throw new Error(
          `${event.type} for account ${event.data.accountId}, which was never opened`,
        );
      }
      const { type, data, streamVersion, globalPosition, recordedAt } = event;
      money.push({
        type,
        data,
        streamVersion,
        globalPosition,
        recordedAt,
        currency,
      } as ProjectedEvent<MoneyEvent>);
    }
    const volumes = new EntityWriter(dailyVolumes, tx);
    await volumes.write(money);
    await currencies.finish();
    await volumes.finish();
  }
}
