import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, ValidateBy, type ValidationOptions } from 'class-validator';
import { ConsistentReadParams } from './consistent-read.params.js';
import { RequestValidationError } from './problem.js';

/** Longest range one request may ask for, both ends included. */
export const MAX_RANGE_DAYS = 366;
/** The range when `from` is omitted: this many days up to `to`, both included. */
export const DEFAULT_RANGE_DAYS = 30;

/** The rules of `from` and `to` for an operation's description; `whose` says whose recorded time a day is of. */
export const dayRangeRules = (whose: string) =>
  `Days are UTC days of ${whose} recorded time, \`from\` and \`to\` included. Both are optional: \`to\` ` +
  `defaults to today (UTC), \`from\` to ${DEFAULT_RANGE_DAYS - 1} days before \`to\`. At most ` +
  `${MAX_RANGE_DAYS} days per request.`;

const DAY_MS = 86_400_000;
// Year 0 is not a PostgreSQL date.
const DAY = /^[1-9]\d{3}-\d{2}-\d{2}$/;

/** A calendar date written YYYY-MM-DD (2025-02-30 is refused, not rolled over). */
const IsDay = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isDay',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' &&
          DAY.test(value) &&
          !Number.isNaN(Date.parse(value)) &&
          new Date(value).toISOString().startsWith(value),
        defaultMessage: (args) => `${args?.property} must be a calendar date as YYYY-MM-DD`,
      },
    },
    options,
  );

/** `from` and `to` of a report by UTC day; resolve them with `dayRange`. */
export class DayRangeParams extends ConsistentReadParams {
  @ApiPropertyOptional({
    format: 'date',
    description: `First UTC day, included. Default: ${DEFAULT_RANGE_DAYS - 1} days before \`to\``,
  })
  @IsOptional()
  @IsDay()
  from?: string;

  @ApiPropertyOptional({
    format: 'date',
    description: `Last UTC day, included; at most ${MAX_RANGE_DAYS} days after \`from\` counting both. Default: today (UTC)`,
  })
  @IsOptional()
  @IsDay()
  to?: string;
}

const toDay = (epochMs: number) => new Date(epochMs).toISOString().slice(0, 10);

/** The range asked for, defaults filled in; an inverted or too long range is refused naming `from`. */
export function dayRange(
  { from, to }: Pick<DayRangeParams, 'from' | 'to'>,
  now = new Date(),
): { from: string; to: string } {
  const last = to ?? toDay(now.getTime());
  const first = from ?? toDay(Date.parse(last) - (DEFAULT_RANGE_DAYS - 1) * DAY_MS);
  const days = (Date.parse(last) - Date.parse(first)) / DAY_MS + 1;
  if (days < 1) {
    throw new RequestValidationError([
      { field: 'from', messages: [`from must not be after to (${last})`] },
    ]);
  }
  if (days > MAX_RANGE_DAYS) {
    throw new RequestValidationError([
      {
        field: 'from',
        messages: [
          `from must be at most ${MAX_RANGE_DAYS - 1} days before to (${last}): a range spans at most ${MAX_RANGE_DAYS} days`,
        ],
      },
    ]);
  }
  return { from: first, to: last };
}
