import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The daily volume's own account -> currency lookup, so it never reads another projection's tables. */
@Entity('account_daily_volume_currencies')
export class AccountDailyVolumeCurrency {
  @PrimaryColumn('uuid', { name: 'account_id' })
  accountId: string;

  @Column('char', { length: 3 })
  currency: string;
}
