import type { DomainEvent } from './event-store.types.js';

/** How an aggregate type is folded from its events. Pure: no I/O. */
export interface AggregateDefinition<TState, TEvent extends DomainEvent> {
  /** Prefix of the aggregate's stream ids: `${streamType}-${id}`. */
  readonly streamType: string;
  initialState(): TState;
  evolve(state: TState, event: TEvent): TState;
  /** Without it the aggregate is always folded from its first event. */
  readonly snapshot?: SnapshotDefinition<TState>;
}

/** How an aggregate's state is written to and read from a snapshot: JSON the domain controls. Pure. */
export interface SnapshotDefinition<TState> {
  /** The version of toSnapshot's shape: bump it on any change, and snapshots of other versions are ignored. */
  readonly stateVersion: number;
  /** A snapshot every this many events; unset: the configured default (SNAPSHOT_EVERY). 0: never. */
  readonly every?: number;
  toSnapshot(state: TState): Record<string, unknown>;
  /** Throws on anything it does not recognise: a snapshot is a cache, never trusted blindly. */
  fromSnapshot(snapshot: Record<string, unknown>): TState;
}

/** An aggregate loaded from its stream, with the events decided since the load. */
export class Aggregate<TState, TEvent extends DomainEvent> {
  private pending: TEvent[] = [];
  private restoredFrom = 0;
  private readonly subjects = new Set<string>();

  constructor(
    readonly id: string,
    private readonly definition: AggregateDefinition<TState, TEvent>,
    private currentState: TState = definition.initialState(),
    private loadedVersion = 0,
  ) {}

  get streamId(): string {
    return `${this.definition.streamType}-${this.id}`;
  }

  get state(): TState {
    return this.currentState;
  }

  /** The stream version this aggregate was loaded at. */
  get version(): number {
    return this.loadedVersion;
  }

  /** The stream version of the snapshot this aggregate started from; 0 when folded from the first event. */
  get snapshotVersion(): number {
    return this.restoredFrom;
  }

  get uncommittedEvents(): readonly TEvent[] {
    return this.pending;
  }

  /** The subjects whose personal data the state may hold in clear: its snapshot is sealed under their keys. */
  get personalSubjects(): ReadonlySet<string> {
    return this.subjects;
  }

  holdsPersonalDataOf(subjects: Iterable<string | undefined>): this {
    for (const subject of subjects) if (subject !== undefined) this.subjects.add(subject);
    return this;
  }

  /** Starts from a snapshot's state; the events after it are replayed next. */
  restore(state: TState, version: number, subjects: Iterable<string> = []): this {
    this.currentState = state;
    this.loadedVersion = version;
    this.restoredFrom = version;
    return this.holdsPersonalDataOf(subjects);
  }

  /** Rehydrates from stored events; they are not uncommitted. */
  replay(events: readonly TEvent[], version: number): this {
    for (const event of events)
      this.currentState = this.definition.evolve(this.currentState, event);
    this.loadedVersion = version;
    return this;
  }

  /** Runs a decision against the current state and records the resulting events as uncommitted. */
  execute(decide: (state: TState) => readonly TEvent[]): readonly TEvent[] {
    const events = decide(this.currentState);
    for (const event of events) {
      this.currentState = this.definition.evolve(this.currentState, event);
      this.pending.push(event);
    }
    return events;
  }

  /** A snapshot of this state was stored at `version`: the next is due `every` events later. */
  snapshotTaken(version: number): void {
    this.restoredFrom = version;
  }

  markCommitted(version: number): void {
    this.pending = [];
    this.loadedVersion = version;
  }
}
