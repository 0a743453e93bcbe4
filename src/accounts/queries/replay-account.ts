import type { PersistedEvent } from '../../event-store/persisted-event.js';
import type { PostgresEventStore } from '../../event-store/postgres-event-store.js';
import { accountDefinition, type AccountState } from '../domain/account.js';
import type { AccountEvent } from '../domain/account.events.js';

const PAGE = 5000;

export interface ReplayBounds {
  /** Stop after this stream version. */
  toVersion?: number;
  /** Stop before the first event recorded after this instant (ms precision, like `recordedAt`). */
  until?: Date;
}

/** A stored account event lifted to the current schema, and the account's state right after it. */
export type ReplayStep = { stored: PersistedEvent; event: AccountEvent; state: AccountState };

/**
 * Folds an account's stream from its first event, straight from the event store (time travel never trusts the
 * read model or a snapshot), a page at a time. Returns the steps `keep` selects and the last step folded.
 */
export async function replayAccount(
  store: PostgresEventStore,
  accountId: string,
  { toVersion, until }: ReplayBounds,
  keep: (step: ReplayStep) => boolean = () => false,
): Promise<{ first?: PersistedEvent; last?: ReplayStep; kept: ReplayStep[] }> {
  const streamId = `${accountDefinition.streamType}-${accountId}`;
  let state = accountDefinition.initialState();
  let first: PersistedEvent | undefined;
  let last: ReplayStep | undefined;
  const kept: ReplayStep[] = [];
  for (let fromVersion = 1; ; fromVersion += PAGE) {
    const page = await store.readStream(streamId, { fromVersion, toVersion, until, limit: PAGE });
    for (const [i, raw] of page.entries()) {
      // A later event recorded earlier (possible only inside a long explicit transaction) must not skip a gap.
      if (raw.streamVersion !== fromVersion + i) return { first, last, kept };
      const stored = store.registry.upcast(raw);
      const event = { type: stored.type, data: stored.data } as AccountEvent;
      state = accountDefinition.evolve(state, event);
      first ??= stored;
      last = { stored, event, state };
      if (keep(last)) kept.push(last);
    }
    if (page.length < PAGE) return { first, last, kept };
  }
}
