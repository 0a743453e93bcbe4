import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { PostgresEventStore } from '../../../event-store/index.js';
import { StreamCatalogEntry } from '../../projections/stream-catalog.entity.js';
import { SearchStreamsQuery } from './search-streams.query.js';
import type { StreamsPage } from './streams-page.response.js';

/** LIKE's own characters in a prefix match themselves. */
const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, '\\$&')}%`;

/**
 * Keyset pages of the stream catalog by stream id (a prefix is a range of its primary key, collation "C"), each
 * stream's head read from the log: as fresh as the log, and the catalog is written only for a new stream or type.
 */
@QueryHandler(SearchStreamsQuery)
export class SearchStreamsHandler implements IQueryHandler<SearchStreamsQuery, StreamsPage> {
  constructor(
    @InjectRepository(StreamCatalogEntry) private readonly catalog: Repository<StreamCatalogEntry>,
    private readonly store: PostgresEventStore,
  ) {}

  async execute({ filter }: SearchStreamsQuery): Promise<StreamsPage> {
    const { prefix, category, type, after, limit } = filter;
    const query = this.catalog
      .createQueryBuilder('stream')
      .orderBy('stream.streamId')
      .limit(limit + 1);
    if (prefix !== undefined)
      query.andWhere('stream.streamId LIKE :prefix', { prefix: likePrefix(prefix) });
    if (category !== undefined) query.andWhere('stream.category = :category', { category });
    if (type !== undefined) query.andWhere('stream.types @> ARRAY[:type]::text[]', { type });
    if (after !== undefined) query.andWhere('stream.streamId > :after', { after });
    const rows = await query.getMany();
    const page = rows.slice(0, limit);
    const heads = await this.store.streamHeads(page.map((row) => row.streamId));
    const streams = page.flatMap(({ streamId, category }) => {
      const head = heads.get(streamId);
      return head
        ? [
            {
              streamId,
              category,
              version: head.version,
              lastType: head.type,
              lastPosition: head.position,
              updatedAt: head.recordedAt.toISOString(),
            },
          ]
        : [];
    });
    return { streams, next: rows.length > limit ? page[limit - 1].streamId : null };
  }
}
