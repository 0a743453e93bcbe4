import type { Checkpoint } from '../event-store/event-store.types.js';
import type { PersistedEvent } from '../event-store/persisted-event.js';
import type { LogRead } from './log-read.js';

export interface Page {
  events: PersistedEvent[];
  /** How many were asked for: a full page means the log goes on. */
  size: number;
  after: Checkpoint;
}

export interface BatchSizing {
  /** Events read per batch when live. */
  batchSize: number;
  /** While pages come back full, the read size doubles up to this. */
  maxBatchSize: number;
}

/** What a worker applies of a page, and how much it reads next. */
export interface Batch {
  events: PersistedEvent[];
  /** The page came back full: the log goes on after it. */
  full: boolean;
  /** Fewer events than the page held (the handler's maxBatchEvents): read again after them. */
  cut: boolean;
  nextSize: number;
}

/**
 * Catching up grows the read (fewer, larger transactions); isolating a failure or a capped batch goes back to
 * the live size. See docs/architecture.md#projections.
 */
export function planBatch(
  page: Page,
  {
    sizing,
    isolating,
    reads,
    maxBatchEvents,
  }: {
    sizing: BatchSizing;
    isolating: boolean;
    reads: (type: string) => boolean;
    maxBatchEvents?: number;
  },
): Batch {
  let events = page.events;
  const full = events.length === page.size;
  let nextSize = full ? Math.min(sizing.maxBatchSize, page.size * 2) : sizing.batchSize;
  if (isolating) {
    events = upToFirstRead(events, reads);
    nextSize = sizing.batchSize;
  }
  const capped = isolating ? events : cappedAt(events, reads, maxBatchEvents);
  const cut = capped.length < events.length;
  if (cut) {
    events = capped;
    nextSize = sizing.batchSize;
  }
  return { events, full, cut, nextSize };
}

/** The events up to and including the first one the projection reads: one suspect per transaction. */
export function upToFirstRead(
  events: PersistedEvent[],
  reads: (type: string) => boolean,
): PersistedEvent[] {
  const first = events.findIndex((e) => reads(e.type));
  return first < 0 ? events : events.slice(0, first + 1);
}

/** At most `max` of the events the projection reads, with the others before the last of them. */
export function cappedAt(
  events: PersistedEvent[],
  reads: (type: string) => boolean,
  max: number | undefined,
): PersistedEvent[] {
  if (max === undefined) return events;
  let seen = 0;
  const at = events.findIndex((e) => reads(e.type) && ++seen === max);
  return at < 0 ? events : events.slice(0, at + 1);
}

/** Reads the global log in pages, one page ahead while the current one is written. */
export class LogReader {
  private ahead?: Promise<Page>;

  constructor(
    private readonly store: LogRead,
    private readonly withMetadata: boolean,
  ) {}

  read(after: Checkpoint, size: number): Promise<Page> {
    return this.store
      .readAll({ after, limit: size, metadata: this.withMetadata })
      .then((events) => ({ events, size, after }));
  }

  /** The page read ahead, else one read now after `checkpoint`. */
  next(checkpoint: Checkpoint, size: number): Promise<Page> {
    const page = this.ahead ?? this.read(checkpoint, size);
    this.ahead = undefined;
    return page;
  }

  /** Starts reading the page after `after`; a failure surfaces when next() takes it. */
  readAhead(after: Checkpoint, size: number): void {
    this.keep(this.read(after, size));
  }

  keep(page: Promise<Page>): void {
    page.catch(() => undefined);
    this.ahead = page;
  }

  /** The last page was not full: the log ends at `after` for now. */
  endsAt(after: Checkpoint, size: number): void {
    this.ahead = Promise.resolve({ events: [], size, after });
  }

  /** Reads again from the checkpoint: it moved, or what follows must be read afresh. */
  forget(): void {
    this.ahead = undefined;
  }
}
