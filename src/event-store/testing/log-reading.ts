import { setTimeout as sleep } from 'node:timers/promises';
import { type Checkpoint, type NewEvent, START } from '../event-store.types.js';
import type { PersistedEvent } from '../persisted-event.js';
import type { PostgresEventStore } from '../postgres-event-store.js';

/** What the log-reading specs append: `n` tells the events apart. */
export const noted = (n: number): NewEvent => ({ type: 'Noted', data: { n } });

/** A test's events among what other suites append: its streams' names begin with its prefix. */
export const ofPrefix = (events: PersistedEvent[], prefix: string) =>
  events.filter((e) => e.streamId.startsWith(prefix));

/** Where the log stands: a test reads after it what it appends next. */
export const headCheckpoint = async (store: PostgresEventStore): Promise<Checkpoint> =>
  (await store.checkpointOf(await store.headPosition())) ?? START;

/**
 * A test's events after `after` through `readAll`, once `count` of them are there or 5 s have passed: another open
 * transaction (an autoanalyze, another suite) may hold the horizon back a moment.
 */
export const committedReader =
  (readAll: (options: { after: Checkpoint }) => Promise<PersistedEvent[]>) =>
  async (prefix: string, after: Checkpoint, count: number): Promise<PersistedEvent[]> => {
    const deadline = Date.now() + 5000;
    for (;;) {
      const events = ofPrefix(await readAll({ after }), prefix);
      if (events.length >= count || Date.now() > deadline) return events;
      await sleep(10);
    }
  };
