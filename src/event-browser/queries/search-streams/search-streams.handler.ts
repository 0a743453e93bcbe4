import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { SearchStreamsQuery } from './search-streams.query.js';
import type { StreamsPage } from './streams-page.response.js';

/** LIKE's own characters in a prefix match themselves. */
const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, '\\$&')}%`;

/** Keyset pages of the stream catalog by stream id; a prefix is a range of its primary key (collation "C"). */
@QueryHandler(SearchStreamsQuery)
export class SearchStreamsHandler implements IQueryHandler<SearchStreamsQuery, StreamsPage> {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async execute({ filter }: SearchStreamsQuery): Promise<StreamsPage> {
    const { prefix, category, type, after, limit } = filter;
    const rows: Array<Record<string, unknown>> = await this.db.query(
      `SELECT stream_id, category, version, last_type, last_position::text AS last_position, updated_at
       FROM stream_catalog
       WHERE ($1::text IS NULL OR stream_id LIKE $1)
         AND ($2::text IS NULL OR category = $2)
         AND ($3::text IS NULL OR types @> ARRAY[$3::text])
         AND ($4::text IS NULL OR stream_id > $4)
       ORDER BY stream_id
       LIMIT $5`,
      [
        prefix === undefined ? null : likePrefix(prefix),
        category ?? null,
        type ?? null,
        after ?? null,
        limit + 1,
      ],
    );
    const streams = rows.slice(0, limit).map((row) => ({
      streamId: row.stream_id as string,
      category: row.category as string,
      version: row.version as number,
      lastType: row.last_type as string,
      lastPosition: Number(row.last_position),
      updatedAt: (row.updated_at as Date).toISOString(),
    }));
    return { streams, next: rows.length > limit ? streams[limit - 1].streamId : null };
  }
}
