import type { EventMetadata } from './event-store.types.js';

/** What a stored event is made of: every field of `PersistedEvent`, given by name. */
export type PersistedEventFields<TData = Record<string, unknown>> = Omit<
  PersistedEvent<TData>,
  'checkpoint'
>;

/** An event as stored: what the EventBus publishes and what every read returns. */
export class PersistedEvent<TData = Record<string, unknown>> {
  readonly eventId: string;
  readonly streamId: string;
  readonly streamVersion: number;
  readonly globalPosition: number;
  readonly transactionId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: TData;
  readonly metadata: EventMetadata;
  readonly recordedAt: Date;

  // Assigned one by one, always in this order: every event has one shape, however it was built.
  constructor(fields: PersistedEventFields<TData>) {
    this.eventId = fields.eventId;
    this.streamId = fields.streamId;
    this.streamVersion = fields.streamVersion;
    this.globalPosition = fields.globalPosition;
    this.transactionId = fields.transactionId;
    this.type = fields.type;
    this.schemaVersion = fields.schemaVersion;
    this.data = fields.data;
    this.metadata = fields.metadata;
    this.recordedAt = fields.recordedAt;
  }

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
