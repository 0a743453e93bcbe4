import type { EventMetadata } from './event-store.types.js';

/** An event as stored: what the EventBus publishes and what every read returns. */
export class PersistedEvent<TData = Record<string, unknown>> {
  constructor(
    readonly eventId: string,
    readonly streamId: string,
    readonly streamVersion: number,
    readonly globalPosition: number,
    readonly transactionId: string,
    readonly type: string,
    readonly schemaVersion: number,
    readonly data: TData,
    readonly metadata: EventMetadata,
    readonly recordedAt: Date,
  ) {}

  get checkpoint() {
    return { transactionId: this.transactionId, position: this.globalPosition };
  }
}

export interface AppendResult {
  readonly streamId: string;
  /** The stream's version after the append: pass it as the next expected version. */
  readonly version: number;
  /** Global position of the last event appended. */
  readonly position: number;
  readonly events: PersistedEvent[];
  /** True when every event id was already stored: a retry that wrote nothing. */
  readonly duplicate: boolean;
}
