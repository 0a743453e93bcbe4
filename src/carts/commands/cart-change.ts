import type { EventMetadata } from '../../event-store/index.js';

/** What a command on an existing cart carries besides its input: If-Match's version and the request's metadata. */
export interface CartChange {
  /** Without it, a conflict is retried on fresh state. */
  readonly expectedVersion?: number;
  readonly metadata: EventMetadata;
}
