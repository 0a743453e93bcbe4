import { SetMetadata } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PersistedEvent } from '../event-store/persisted-event.js';

export const PROJECTION_METADATA = Symbol('chronicle:projection');

/**
 * A read model fed from the global log, a batch per transaction; tables unqualified, so a rebuild can redirect them.
 * See docs/architecture.md#projections.
 */
export interface ProjectionHandler {
  /** Event types this projection reads; others only move its checkpoint. */
  readonly eventTypes: readonly string[];
  /** The read tables this projection alone writes. */
  readonly tables: readonly string[];
  /** `apply` never reads `metadata`: the log is read without it (an empty object), less to transfer and parse. */
  readonly withoutMetadata?: boolean;
  /** `apply` reads no event's `data`: events come as stored (no personal data decrypted, no key lookups, not upcast). */
  readonly withoutData?: boolean;
  /** At most this many of its events per batch; unset: no cap. A reactor keeps its batches (and their redo) small. */
  readonly maxBatchEvents?: number;
  apply(events: readonly PersistedEvent[], tx: EntityManager): Promise<void>;
  /**
   * While catching up, one transaction over several reads (a row touched often is written once); writes as `apply`.
   * See docs/architecture.md#projections.
   */
  open?(tx: EntityManager): ProjectionTransaction;
  /**
   * A reactor's commands, run before the batch's transaction; idempotent: an interrupted batch comes again.
   * See docs/architecture.md#projections.
   */
  react?(events: readonly PersistedEvent[]): Promise<void>;
}

/** What `ProjectionHandler.open` returns: pages of one transaction, then `finish` before the commit. */
export interface ProjectionTransaction {
  write(events: readonly PersistedEvent[]): Promise<void>;
  finish(): Promise<void>;
}

/** Marks a provider as a projection with a durable checkpoint under `name`. */
export const Projection = (name: string) => SetMetadata(PROJECTION_METADATA, name);
