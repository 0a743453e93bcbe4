import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, Matches } from 'class-validator';
import { RequestValidationError } from '../http/problem.js';
import type { LiveFilter } from './live-filter.js';
import { POSITION_PATTERN } from './live-position.js';

const TYPE = '[A-Za-z][A-Za-z0-9]{0,99}';

/** Where a live stream starts. */
export class LiveStartParams {
  @ApiPropertyOptional({
    description:
      'Start after the event with this id (its global position, e.g. a command answer `position`; 0: the start ' +
      'of the log). Without it, and without Last-Event-ID, the stream starts now.',
    pattern: POSITION_PATTERN.source,
  })
  @IsOptional()
  @Matches(POSITION_PATTERN, { message: 'after must be the id of an event (a global position)' })
  after?: string;
}

/** What GET /events/live may filter on; every filter given must hold. */
export class LiveEventsParams extends LiveStartParams {
  @ApiPropertyOptional({
    description: 'Only these event types, comma-separated, e.g. MoneyDeposited,MoneyWithdrawn',
  })
  @IsOptional()
  @Matches(new RegExp(`^${TYPE}(,${TYPE}){0,49}$`), {
    message: 'types must be up to 50 event type names, comma-separated',
  })
  types?: string;

  @ApiPropertyOptional({
    description:
      'Only streams of this category: what their id holds before the first "-", e.g. account',
  })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9]{0,49}$/, {
    message: 'category must be a stream category in lower case, e.g. account',
  })
  category?: string;

  @ApiPropertyOptional({
    description: 'Only this stream, e.g. account-0b6f1f7e-2c1d-4a4e-9d7b-3f0e5a1c2b9d',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.toLowerCase() : value,
  )
  @Matches(/^[a-z][a-z0-9]{0,49}-[a-z0-9-]{1,100}$/, {
    message: 'stream must be a stream id, e.g. account-0b6f1f7e-2c1d-4a4e-9d7b-3f0e5a1c2b9d',
  })
  stream?: string;
}

/** The filter the parameters ask for; a type nobody registered is a 400 (a typo would otherwise match nothing). */
export function filterOf(params: LiveEventsParams, knows: (type: string) => boolean): LiveFilter {
  const types = params.types === undefined ? undefined : new Set(params.types.split(','));
  const unknown = [...(types ?? [])].filter((type) => !knows(type));
  if (unknown.length > 0)
    throw new RequestValidationError([
      { field: 'types', messages: [`No event type is called ${unknown.join(', ')}`] },
    ]);
  return { types, category: params.category, stream: params.stream };
}
