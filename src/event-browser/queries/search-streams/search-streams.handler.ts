import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { StreamCatalogEntry } from '../../projections/stream-catalog.entity.js';
import { SearchStreamsQuery } from './search-streams.query.js';
import type { StreamsPage } from './streams-page.response.js';

/** LIKE's own characters in a prefix match themselves. */
const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, '\\$&')}%`;

/** Keyset pages of the stream catalog by stream id; a prefix is a range of its primary key (collation "C"). */
@QueryHandler(SearchStreamsQuery)
export class SearchStreamsHandler implements IQueryHandler<SearchStreamsQuery, StreamsPage> {
  constructor(
    @InjectRepository(StreamCatalogEntry) private readonly catalog: Repository<StreamCatalogEntry>,
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
    const streams = rows.slice(0, limit).map((row) => ({
      streamId: row.streamId,
      category: row.category,
      version: row.version,
      lastType: row.lastType,
      lastPosition: row.lastPosition,
      updatedAt: row.updatedAt.toISOString(),
    }));
    return { streams, next: rows.length > limit ? streams[limit - 1].streamId : null };
  }
}
