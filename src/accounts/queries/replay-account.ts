import {
  type DatedSnapshot,
  type PersistedEvent,
  PERSONAL_DATA_ERASED,
  type PostgresEventStore,
  type PostgresSnapshotStore,
} from '../../event-store/index.js';
import { accountSnapshot } from '../account.snapshot.js';
import { accountDefinition, isWithinReach, type AccountState } from '../domain/account.js';
import type { AccountEvent, AccountOpened } from '../domain/account.events.js';

const PAGE = 5000;
/** Snapshots that cannot be opened (tampered with, or of a bad shape) passed over before folding from the start. */
const UNUSABLE_TRIED = 3;

export interface ReplaySources {
  readonly store: PostgresEventStore;
  readonly snapshots: PostgresSnapshotStore;
  /** SNAPSHOT_EVERY: a fold writes the snapshots missing on its way at multiples of it (none at 0). */
  readonly every: number;
  readonly logger?: { warn(message: string): unknown };
}

export interface ReplayBounds {
  /** Stop after this stream version. */
  toVersion?: number;
  /** Stop before the first event recorded after this instant (ms precision, like `recordedAt`). */
  until?: Date;
  /** The events from this version on are all read and folded (the history's lines): no snapshot past it is used. */
  readFrom?: number;
}

/** A stored account event lifted to the current schema, and the account's state right after it. */
export type ReplayStep = { stored: PersistedEvent; event: AccountEvent; state: AccountState };

export interface Replayed {
  /** Whether the stream has any event within the bounds. */
  found: boolean;
  /** The first event, when the fold started from it rather than from a snapshot. */
  first?: PersistedEvent;
  last?: ReplayStep;
  kept: ReplayStep[];
}

type Start = { version: number; state: AccountState; recordedBy: number | null };
type Passed = { version: number; state: AccountState; recordedBy: number };
const FIRST_EVENT: Start = { version: 0, state: accountDefinition.initialState(), recordedBy: 0 };

/** The owner its opening event names (null: none), or undefined for an account never opened: one indexed read. */
export async function ownerOf(
  store: PostgresEventStore,
  accountId: string,
): Promise<{ ownerId: string | null } | undefined> {
  const [opened] = await store.readStream(`${accountDefinition.streamType}-${accountId}`, {
    limit: 1,
  });
  if (!opened) return undefined;
  return { ownerId: (store.registry.upcast(opened).data as AccountOpened['data']).ownerId };
}

/**
 * Whether a customer's own reach (`ownedBy`) takes in the account, read from its opening event alone, before any
 * fold: someone else's account costs what a missing one does (one indexed read), and nothing is folded or
 * snapshotted on it. Staff (`ownedBy` undefined) reach every account.
 */
export async function reaches(
  store: PostgresEventStore,
  accountId: string,
  ownedBy: string | undefined,
): Promise<boolean> {
  if (ownedBy === undefined) return true;
  const opened = await ownerOf(store, accountId);
  return opened !== undefined && isWithinReach(opened.ownerId, ownedBy);
}

/**
 * Folds an account's stream from the nearest snapshot at or before the bounds, so the cost is bounded by the
 * snapshot interval, not the stream; writes the snapshots missing on the way. Returns the steps `keep` selects and
 * the last step folded (the snapshot's own event when nothing follows it). See docs/architecture.md#time-travel.
 */
export async function replayAccount(
  sources: ReplaySources,
  accountId: string,
  bounds: ReplayBounds,
  keep: (step: ReplayStep) => boolean = () => false,
): Promise<Replayed> {
  const streamId = `${accountDefinition.streamType}-${accountId}`;
  const start = await startingPoint(sources, streamId, bounds);
  let passed: Passed[] = [];
  let replayed = await fold({ sources, streamId, start, bounds, keep, passed });
  if (!replayed) {
    // The snapshot's own event is missing from the read: it cannot be trusted, so the fold starts over.
    passed = [];
    replayed = (await fold({ sources, streamId, start: FIRST_EVENT, bounds, keep, passed }))!;
  }
  await writeMissing(sources, streamId, passed);
  return replayed;
}

interface Fold {
  readonly sources: ReplaySources;
  readonly streamId: string;
  readonly start: Start;
  readonly bounds: ReplayBounds;
  readonly keep: (step: ReplayStep) => boolean;
  /** Filled with the states at multiples of `every` the fold passes: the snapshots writeMissing writes. */
  readonly passed: Passed[];
}

async function fold({
  sources: { store, every },
  streamId,
  start,
  bounds: { toVersion, until, readFrom },
  keep,
  passed,
}: Fold): Promise<Replayed | undefined> {
  let state = start.state;
  let recordedBy = start.recordedBy;
  let first: PersistedEvent | undefined;
  let last: ReplayStep | undefined;
  const kept: ReplayStep[] = [];
  const done = () => ({ found: last !== undefined, first, last, kept });
  // Past `readFrom - 1` the snapshots are there already: startingPoint would have taken one.
  const missingUpTo = readFrom === undefined ? Infinity : readFrom - 1;
  // From the snapshot's own event, read again for its time and position but not folded.
  for (let fromVersion = Math.max(start.version, 1); ; fromVersion += PAGE) {
    // A page is a version range, never more: with `until`, rows past it would otherwise be scanned to the end.
    const pageEnd = Math.min(fromVersion + PAGE - 1, toVersion ?? Infinity);
    const page = await store.readStream(streamId, { fromVersion, toVersion: pageEnd, until });
    if (
      start.version > 0 &&
      fromVersion === start.version &&
      page[0]?.streamVersion !== start.version
    )
      return undefined;
    for (const [i, raw] of page.entries()) {
      // A later event recorded earlier (possible only inside a long explicit transaction) must not skip a gap.
      if (raw.streamVersion !== fromVersion + i) return done();
      const stored = store.registry.upcast(raw);
      const event = { type: stored.type, data: stored.data } as AccountEvent;
      const version = stored.streamVersion;
      if (version > start.version) {
        state = accountDefinition.evolve(state, event);
        if (recordedBy !== null) recordedBy = Math.max(recordedBy, stored.recordedAt.getTime());
        if (recordedBy !== null && every > 0 && version % every === 0 && version <= missingUpTo)
          passed.push({ version, state, recordedBy });
      }
      if (version === 1) first = stored;
      last = { stored, event, state };
      if (keep(last)) kept.push(last);
    }
    if (page.length < PAGE) return done();
  }
}

/** The nearest snapshot the bounds include that opens; one that does not (its subject erased) is passed over. */
async function startingPoint(
  { store, snapshots, every }: ReplaySources,
  streamId: string,
  { toVersion, until, readFrom }: ReplayBounds,
): Promise<Start> {
  const definition = accountSnapshot;
  let below = readFrom === undefined ? toVersion : Math.min(toVersion ?? readFrom, readFrom - 1);
  for (let tried = 0; tried < UNUSABLE_TRIED && every > 0; tried++) {
    if (below !== undefined && below < 1) return FIRST_EVENT;
    const row: DatedSnapshot | undefined = await snapshots.readAt(
      streamId,
      definition.stateVersion,
      { toVersion: below, until },
    );
    if (!row) return FIRST_EVENT;
    const { snapshot } = await store.decryptForFold(streamId, [], row.state);
    if (snapshot && !('unusable' in snapshot)) {
      try {
        const state = definition.fromSnapshot(snapshot.state);
        return { version: row.version, state, recordedBy: row.recordedBy?.getTime() ?? null };
      } catch {
        // Not an account state: folded past like an unreadable one.
      }
    }
    below = row.version - 1;
  }
  return FIRST_EVENT;
}

/**
 * Writes the snapshots a fold passed that were missing, sealed as the repository seals them. A state whose owner
 * is erased holds the placeholder, not the name: it needs no key. A cache: a failure only costs a longer fold.
 */
async function writeMissing(
  { store, snapshots, logger }: ReplaySources,
  streamId: string,
  passed: readonly Passed[],
): Promise<void> {
  if (passed.length === 0) return;
  const definition = accountSnapshot;
  const rows: DatedSnapshot[] = [];
  try {
    for (const { version, state, recordedBy } of passed) {
      const json = definition.toSnapshot(state);
      const clear = state.status !== 'open' || state.ownerName === PERSONAL_DATA_ERASED;
      const sealed = clear ? json : await store.personalData.sealState(streamId, [state.id], json);
      // Erased since this fold read the name: nothing may be written with it.
      if (!sealed) break;
      rows.push({ version, state: sealed, recordedBy: new Date(recordedBy) });
    }
    await snapshots.fill(streamId, definition.stateVersion, rows);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    (logger ?? console).warn(
      `Snapshots of ${streamId} passed by time travel not written: ${reason}`,
    );
  }
}
