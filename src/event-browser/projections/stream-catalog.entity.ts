import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../../shared/bigint.transformer.js';

/** One row per stream of the log, for searching streams by id prefix, category and event type. */
@Entity('stream_catalog')
@Index('stream_catalog_by_category', ['category', 'streamId'])
// GIN, made by the migration: TypeORM cannot declare its method, so schema sync leaves it alone.
@Index('stream_catalog_by_type', { synchronize: false })
export class StreamCatalogEntry {
  /** Collation "C": `LIKE 'prefix%'` uses the primary key's index. */
  @PrimaryColumn('text', { name: 'stream_id', collation: 'C' })
  streamId: string;

  /** The part of the stream id before its first '-'. */
  @Column({ type: 'text', collation: 'C' })
  category: string;

  @Column('int')
  version: number;

  @Column('text', { name: 'last_type' })
  lastType: string;

  @Column('bigint', { name: 'last_position', transformer: bigintAsNumber })
  lastPosition: number;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt: Date;

  /** Every event type the stream holds (GIN index `stream_catalog_by_type`, made by the migration). */
  @Column('text', { array: true })
  types: string[];
}
