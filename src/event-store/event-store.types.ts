/** An event as the domain produces it: an explicit type string and a JSON-serialisable payload. */
export interface DomainEvent<TType extends string = string, TData = Record<string, unknown>> {
  readonly type: TType;
  readonly data: TData;
}

export interface EventMetadata {
  correlationId?: string;
  causationId?: string;
  actor?: string;
  commandId?: string;
  [key: string]: unknown;
}

export interface NewEvent extends DomainEvent {
  readonly eventId?: string;
  readonly metadata?: EventMetadata;
}

/** 'no-stream': the stream must not exist yet; 'any': no check; a number: the stream's current version. */
export type ExpectedVersion = number | 'no-stream' | 'any';

export interface AppendOptions {
  expectedVersion?: ExpectedVersion;
}

export interface ReadStreamOptions {
  fromVersion?: number;
  toVersion?: number;
  /** Only events recorded at or before this instant. */
  until?: Date;
  direction?: 'forward' | 'backward';
  limit?: number;
}

/** A position in the global log: the (transaction id, global position) pair of the last event read. */
export interface Checkpoint {
  readonly transactionId: string;
  readonly position: number;
}

export const START: Checkpoint = Object.freeze({ transactionId: '0', position: 0 });

export interface ReadAllOptions {
  after?: Checkpoint;
  limit?: number;
  /** false: the events come without their metadata (an empty object), for readers that never look at it. */
  metadata?: boolean;
  /** Only this stream's events, found through its index: a stream's catch-up without a scan of the whole log. */
  streamId?: string;
}
