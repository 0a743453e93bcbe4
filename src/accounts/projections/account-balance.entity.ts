import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../../shared/bigint.transformer.js';

@Entity('account_balances')
export class AccountBalance {
  @PrimaryColumn('uuid')
  id: string;

  /** Sealed under the account's key (OWNER_NAME_COLUMN), opened by the query; null once erased. */
  @Column('bytea', { name: 'owner_name', nullable: true })
  ownerName: Buffer | null;

  /** The customer who owns it; null for an account opened before accounts had owners (staff only). */
  @Column('uuid', { name: 'owner_id', nullable: true })
  ownerId: string | null;

  @Column('char', { length: 3 })
  currency: string;

  /** Minor units. */
  @Column('bigint', { transformer: bigintAsNumber })
  balance: number;

  /** The account stream's version this row reflects. */
  @Column('int')
  version: number;

  @Column('timestamptz', { name: 'opened_at' })
  openedAt: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt: Date;
}
