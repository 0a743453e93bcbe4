import type { DomainEvent } from './event-store.types.js';

/** How an aggregate type is folded from its events. Pure: no I/O. */
export interface AggregateDefinition<TState, TEvent extends DomainEvent> {
  /** Prefix of the aggregate's stream ids: `${streamType}-${id}`. */
  readonly streamType: string;
  initialState(): TState;
  evolve(state: TState, event: TEvent): TState;
}

/** An aggregate loaded from its stream, with the events decided since the load. */
export class Aggregate<TState, TEvent extends DomainEvent> {
  private pending: TEvent[] = [];

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

  get uncommittedEvents(): readonly TEvent[] {
    return this.pending;
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

  markCommitted(version: number): void {
    this.pending = [];
    this.loadedVersion = version;
  }
}
