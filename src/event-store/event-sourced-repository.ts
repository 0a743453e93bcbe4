import { Aggregate, type AggregateDefinition } from './aggregate.js';
import { AggregateCache } from './aggregate-cache.js';
import { commandEventId } from './event-ids.js';
import { DomainError } from '../shared/domain-error.js';
import { ConcurrencyError, EventIdConflictError } from './event-store.errors.js';
import type { DomainEvent, EventMetadata } from './event-store.types.js';
import { KeyedMutex } from './keyed-mutex.js';
import type { AppendResult, PersistedEvent } from './persisted-event.js';
import type { EventToFold, PostgresEventStore } from './postgres-event-store.js';
import type { PostgresSnapshotStore } from './postgres-snapshot-store.js';

export interface EventPublisher {
  publishAll(events: PersistedEvent[]): unknown;
}

export interface SaveOptions {
  /** The version the caller saw (e.g. from If-Match). Without it, a conflict is retried on fresh state. */
  expectedVersion?: number;
  metadata?: EventMetadata;
}

export interface UpdateOptions<TState = unknown> extends SaveOptions {
  /**
   * Refuses the command (by throwing) on the loaded state before If-Match is compared: a resource the caller may not
   * see is then answered as a missing one, and the refusal says nothing of the stream's version.
   */
  admit?: (state: TState) => void;
  /**
   * Subjects whose personal data is erased once the decision is taken (their keys destroyed, this stream's
   * snapshot deleted), before its events are appended; again on a retry, so an erasure interrupted between the two
   * completes.
   */
  erasePersonalDataOf?: readonly string[];
}

export interface CommandResult<TEvent> extends AppendResult {
  /** The events the decision produced (empty when it decided nothing). */
  readonly decided: readonly TEvent[];
}

export interface SnapshotOptions {
  readonly store: PostgresSnapshotStore;
  /** The interval for definitions that set none (SNAPSHOT_EVERY); 0: no snapshots. */
  readonly every: number;
  /** Where a failed snapshot write is reported; it never fails the command. */
  readonly logger?: { warn(message: string): unknown };
}

export interface CacheOptions {
  /** Aggregates kept; 0: none (every command reads its stream). */
  readonly size: number;
  /** How long one is trusted without reading its stream again. */
  readonly ttlMs: number;
}

export interface RepositoryParts<TState, TEvent extends DomainEvent> {
  readonly store: PostgresEventStore;
  /** Told of the stored events after each append. */
  readonly publisher: EventPublisher;
  readonly definition: AggregateDefinition<TState, TEvent>;
  /** None: every load folds the whole stream. */
  readonly snapshots?: SnapshotOptions;
  readonly cache?: CacheOptions;
}

const MAX_ATTEMPTS = 5;

/** What a command's own earlier run can make it fail with: a moved stream, a reused event id, a broken rule. */
function causableByRetry(error: unknown): boolean {
  return (
    error instanceof ConcurrencyError ||
    error instanceof EventIdConflictError ||
    error instanceof DomainError
  );
}

/** Loads aggregates from their streams and saves what they decided, publishing the stored events afterwards. */
export class EventSourcedRepository<TState, TEvent extends DomainEvent> {
  protected readonly store: PostgresEventStore;
  protected readonly definition: AggregateDefinition<TState, TEvent>;
  private readonly publisher: EventPublisher;
  private readonly snapshots?: SnapshotOptions;
  private readonly mutex = new KeyedMutex();
  private readonly cache?: AggregateCache<Aggregate<TState, TEvent>>;

  constructor({ store, publisher, definition, snapshots, cache }: RepositoryParts<TState, TEvent>) {
    this.store = store;
    this.publisher = publisher;
    this.definition = definition;
    this.snapshots = snapshots;
    if (cache && cache.size > 0) this.cache = new AggregateCache(cache.size, cache.ttlMs);
  }

  streamIdOf(id: string): string {
    return `${this.definition.streamType}-${id}`;
  }

  /** Where a stream stands: its version and the global position of its last event. */
  async head(id: string): Promise<{ version: number; position: number }> {
    const [last] = await this.store.readStream(this.streamIdOf(id), {
      direction: 'backward',
      limit: 1,
    });
    return { version: last.streamVersion, position: last.globalPosition };
  }

  /** From the latest usable snapshot and the events after it, or from the first event. */
  async load(id: string): Promise<Aggregate<TState, TEvent>> {
    const aggregate = new Aggregate(id, this.definition);
    const snapshotting = this.snapshotEvery() > 0 ? this.definition.snapshot : undefined;
    if (!snapshotting || !this.snapshots)
      return this.replay(aggregate, await this.store.readStreamForFold(aggregate.streamId));
    const stored = await this.snapshots.store.readWithTail(
      aggregate.streamId,
      snapshotting.stateVersion,
    );
    const { events, snapshot } = await this.store.decryptForFold(
      aggregate.streamId,
      stored.events,
      stored.snapshot?.state,
    );
    if (!stored.snapshot || !snapshot) return this.replay(aggregate, events);
    if ('unusable' in snapshot) {
      // Sealed under an erased subject's key: expected, so not worth a warning.
      if (!snapshot.erased)
        this.warn(`Ignoring the unreadable snapshot of ${aggregate.streamId}`, snapshot.unusable);
      return this.fold(id);
    }
    try {
      aggregate.restore(
        snapshotting.fromSnapshot(snapshot.state),
        stored.snapshot.version,
        snapshot.subjects,
      );
    } catch (error) {
      this.warn(`Ignoring the unreadable snapshot of ${aggregate.streamId}`, error);
      return this.fold(id);
    }
    return this.replay(aggregate, events);
  }

  async save(
    aggregate: Aggregate<TState, TEvent>,
    options: SaveOptions = {},
  ): Promise<AppendResult> {
    const expectedVersion = options.expectedVersion ?? aggregate.version;
    const foldedThrough = aggregate.version + aggregate.uncommittedEvents.length;
    const commandId = options.metadata?.commandId;
    const result = await this.store.append(
      aggregate.streamId,
      aggregate.uncommittedEvents.map((event, index) => ({
        type: event.type,
        data: event.data as Record<string, unknown>,
        eventId: commandId ? commandEventId(commandId, aggregate.streamId, index) : undefined,
        metadata: options.metadata,
      })),
      { expectedVersion },
    );
    aggregate.holdsPersonalDataOf(
      aggregate.uncommittedEvents.map((e) =>
        this.store.registry.personalSubjectOf(e.type, e.data as Record<string, unknown>),
      ),
    );
    aggregate.markCommitted(result.version);
    if (result.duplicate) return result;
    this.publisher.publishAll(result.events);
    // The state is the stream's at result.version only if nothing was appended between the load and this append.
    if (result.version === foldedThrough) await this.snapshotIfDue(aggregate);
    return result;
  }

  /**
   * Load, decide, save. Commands on one aggregate queue in this process; a conflict with another process
   * is retried on fresh state unless the caller pinned an expected version.
   */
  async update(
    id: string,
    decide: (state: TState) => readonly TEvent[],
    options: UpdateOptions<TState> = {},
  ): Promise<CommandResult<TEvent>> {
    return this.mutex.run(this.streamIdOf(id), async () => {
      try {
        return await this.decideAndSave(id, decide, options);
      } catch (error) {
        // A command retried after its first run was stored (e.g. a crash before the answer) meets a moved
        // stream or a rule its own events now break: answer with what that run stored. Only the same command
        // (its id, which names one request) counts, and only for a failure its own earlier events can cause.
        const commandId = options.metadata?.commandId;
        if (!commandId || !causableByRetry(error)) throw error;
        const streamId = this.streamIdOf(id);
        const earlier = await this.store.findAppendByCommand(
          streamId,
          commandId,
          commandEventId(commandId, streamId, 0),
        );
        if (!earlier) throw error;
        return this.outcome(earlier, []);
      }
    });
  }

  private async decideAndSave(
    id: string,
    decide: (state: TState) => readonly TEvent[],
    options: UpdateOptions<TState>,
  ): Promise<CommandResult<TEvent>> {
    const streamId = this.streamIdOf(id);
    const erasing = options.erasePersonalDataOf ?? [];
    // An erasure must not leave a decrypted copy behind: its aggregate is neither kept nor reused.
    const keep = erasing.length === 0;
    // Taken out while this command runs (the mutex keeps others on this stream waiting); put back on success.
    const taken = this.cache?.take(streamId);
    let cached = keep ? taken : undefined;
    for (let attempt = 1; ; attempt++) {
      let aggregate = cached ?? (await this.load(id));
      const { expectedVersion } = options;
      // Kept from an earlier command, it may be behind what another process stored: read the stream first.
      if (cached && expectedVersion !== undefined && expectedVersion !== aggregate.version)
        aggregate = await this.load(id);
      cached = undefined;
      options.admit?.(aggregate.state);
      if (options.expectedVersion !== undefined && options.expectedVersion !== aggregate.version) {
        throw new ConcurrencyError(aggregate.streamId, options.expectedVersion, aggregate.version);
      }
      const decided = aggregate.execute(decide);
      if (erasing.length > 0) await this.store.erasePersonalData(erasing, [aggregate.streamId]);
      if (decided.length === 0) {
        if (keep) this.cache?.put(streamId, aggregate);
        const { version } = aggregate;
        return { streamId, version, position: 0, events: [], duplicate: false, decided };
      }
      try {
        const result = await this.save(aggregate, options);
        // A duplicate's stored events, not this decision, are the stream's: its state is not this one.
        if (!result.duplicate && keep) this.cache?.put(streamId, aggregate);
        return this.outcome(result, decided);
      } catch (error) {
        const retry = error instanceof ConcurrencyError && options.expectedVersion === undefined;
        if (!retry || attempt >= MAX_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
      }
    }
  }

  /** On a duplicate the stored events, not this run's decision, are the command's outcome. */
  private outcome(result: AppendResult, decided: readonly TEvent[]): CommandResult<TEvent> {
    return {
      ...result,
      decided: result.duplicate ? result.events.map((e) => this.toDomain(e)) : decided,
    };
  }

  private async fold(id: string): Promise<Aggregate<TState, TEvent>> {
    const fresh = new Aggregate(id, this.definition);
    return this.replay(fresh, await this.store.readStreamForFold(fresh.streamId));
  }

  private replay(
    aggregate: Aggregate<TState, TEvent>,
    events: readonly EventToFold[],
  ): Aggregate<TState, TEvent> {
    const version = events.length ? events[events.length - 1].streamVersion : aggregate.version;
    // One pass, no array per step: this folds every event of a stream on each load.
    const subjects: string[] = [];
    const domain = new Array<TEvent>(events.length);
    for (let i = 0; i < events.length; i++) {
      const event = events[i];
      if (event.personalSubject !== undefined) subjects.push(event.personalSubject);
      domain[i] = this.toDomain(event);
    }
    return aggregate.holdsPersonalDataOf(subjects).replay(domain, version);
  }

  private snapshotEvery(): number {
    return this.snapshots ? (this.definition.snapshot?.every ?? this.snapshots.every) : 0;
  }

  /** After the commit: a failed write is logged and the command still succeeds. */
  private async snapshotIfDue(aggregate: Aggregate<TState, TEvent>): Promise<void> {
    const every = this.snapshotEvery();
    const definition = this.definition.snapshot;
    if (!this.snapshots || !definition || every <= 0) return;
    if (aggregate.version - aggregate.snapshotVersion < every) return;
    try {
      // Sealed under the keys of every subject whose personal data it holds: erasing one makes it unreadable.
      const state = await this.store.personalData.sealState(
        aggregate.streamId,
        [...aggregate.personalSubjects],
        definition.toSnapshot(aggregate.state),
      );
      if (!state) return;
      await this.snapshots.store.write({
        streamId: aggregate.streamId,
        version: aggregate.version,
        stateVersion: definition.stateVersion,
        state,
      });
      aggregate.snapshotTaken(aggregate.version);
    } catch (error) {
      this.warn(
        `Snapshot of ${aggregate.streamId} at version ${aggregate.version} not written`,
        error,
      );
    }
  }

  private warn(message: string, error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    (this.snapshots?.logger ?? console).warn(`${message}: ${reason}`);
  }

  /** Every event an aggregate folds is lifted to its type's current schema first. */
  private toDomain(event: EventToFold): TEvent {
    const data = this.store.registry.upcastData(event.type, event.schemaVersion, event.data);
    return { type: event.type, data } as unknown as TEvent;
  }
}
