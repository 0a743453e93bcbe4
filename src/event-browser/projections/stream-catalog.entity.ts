import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One row per stream of the log, for searching streams by id prefix, category and event type. A stream's head
 * (version, last event) is read from the log per page, so an event of a type the stream already holds writes nothing.
 */
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

  /** Every event type the stream holds (GIN index `stream_catalog_by_type`, made by the migration). */
  @Column('text', { array: true })
  types: string[];
}
