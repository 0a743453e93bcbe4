import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../../shared/bigint.transformer.js';

/** Money moved per UTC day (of the events' recorded_at) and currency, rejected withdrawals counted apart. */
@Entity('account_daily_volume')
export class AccountDailyVolume {
  /** YYYY-MM-DD, UTC. */
  @PrimaryColumn('date')
  day: string;

  @PrimaryColumn('char', { length: 3 })
  currency: string;

  @Column('int', { name: 'deposit_count', default: 0 })
  depositCount: number;

  /** Minor units. */
  @Column('bigint', { name: 'deposit_sum', default: 0, transformer: bigintAsNumber })
  depositSum: number;

  @Column('int', { name: 'withdrawal_count', default: 0 })
  withdrawalCount: number;

  /** Minor units. */
  @Column('bigint', { name: 'withdrawal_sum', default: 0, transformer: bigintAsNumber })
  withdrawalSum: number;

  @Column('int', { name: 'rejected_count', default: 0 })
  rejectedCount: number;
}
