import type { Checkpoint } from '../event-store/index.js';
import { compareCheckpoints, UnknownPosition } from '../projections/index.js';
import { RequestValidationError } from '../http/problem.js';

/**
 * A message's `id` is its event's global position in decimal: the `position` a command answers and `consistentWith`
 * takes. The server maps it back to the event's checkpoint, so it resumes exactly after that event.
 */
export const messageIdOf = (position: number): string => String(position);

/** Digits only, at most 16 (a position is a safe integer); 0 is the start of the log. */
export const POSITION_PATTERN = /^\d{1,16}$/;

/** The position `raw` names, undefined when absent or empty; a 400 naming `field` for anything but a position. */
export function positionOf(raw: string | undefined, field: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const position = POSITION_PATTERN.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(position))
    throw new RequestValidationError([
      { field, messages: [`${field} must be the id of an event received (a global position)`] },
    ]);
  return position;
}

export interface StartRequest {
  /** `?after=` */
  after?: string;
  /** The `Last-Event-ID` header, which EventSource sends when it reconnects. */
  lastEventId?: string;
}

/**
 * Where a subscription starts: after `Last-Event-ID` or `after`, or undefined for "from now". Both given: the header
 * wins when it is at or past `after` in the log (an EventSource resuming a stream opened with `?after=` in its URL);
 * one before `after` contradicts it and is a 400. A position no event holds is a 400 `unknown-position`.
 */
export async function startOf(
  { after, lastEventId }: StartRequest,
  checkpointOf: (position: number) => Promise<Checkpoint | undefined>,
): Promise<Checkpoint | undefined> {
  const fromQuery = positionOf(after, 'after');
  const fromHeader = positionOf(lastEventId, 'Last-Event-ID');
  const resolve = async (position: number): Promise<Checkpoint> => {
    const checkpoint = position === 0 ? START : await checkpointOf(position);
    if (!checkpoint) throw new UnknownPosition(position);
    return checkpoint;
  };
  if (fromHeader === undefined) return fromQuery === undefined ? undefined : resolve(fromQuery);
  const resumed = await resolve(fromHeader);
  if (fromQuery === undefined || fromQuery === fromHeader) return resumed;
  if (compareCheckpoints(resumed, await resolve(fromQuery)) >= 0) return resumed;
  const messages = [
    `Last-Event-ID ${fromHeader} comes before after=${fromQuery}: send one of them`,
  ];
  throw new RequestValidationError([
    { field: 'after', messages },
    { field: 'Last-Event-ID', messages },
  ]);
}

const START: Checkpoint = Object.freeze({ transactionId: '0', position: 0 });
