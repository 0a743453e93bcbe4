import { Check, Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../../shared/bigint.transformer.js';

export type TransactionKind = 'deposit' | 'withdrawal' | 'rejected-withdrawal';

/** One statement line per money event of an account, rejected withdrawals included. */
@Entity('account_transactions')
@Check(
  'account_transactions_kind_check',
  `kind IN ('deposit', 'withdrawal', 'rejected-withdrawal')`,
)
export class AccountTransaction {
  @PrimaryColumn('uuid', { name: 'account_id' })
  accountId: string;

  @PrimaryColumn('int', { name: 'stream_version' })
  streamVersion: number;

  @Column('bigint', { name: 'global_position', transformer: bigintAsNumber })
  globalPosition: number;

  @Column('text')
  kind: TransactionKind;

  @Column('bigint', { transformer: bigintAsNumber })
  amount: number;

  @Column('bigint', { name: 'balance_after', transformer: bigintAsNumber })
  balanceAfter: number;

  @Column('text', { nullable: true })
  description: string | null;

  @Column('timestamptz', { name: 'recorded_at' })
  recordedAt: Date;
}
