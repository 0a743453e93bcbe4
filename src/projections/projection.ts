import { SetMetadata } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PersistedEvent } from '../event-store/persisted-event.js';

export const PROJECTION_METADATA = Symbol('chronicle:projection');

/**
 * A read model fed from the global log. `apply` gets a batch of events, in log order, inside the transaction
 * that also moves the checkpoint: write it set-based (a few statements per batch, not per event).
 *
 * Name tables unqualified (`account_balances`, never `public.account_balances`): a rebuild runs the same
 * handler with its own copies of `tables` first on the search path, then swaps them in.
 */
export interface ProjectionHandler {
  /** Event types this projection reads; others only move its checkpoint. */
  readonly eventTypes: readonly string[];
  /** The read tables this projection alone writes. */
  readonly tables: readonly string[];
  /**
   * True when `apply` never reads `metadata`: the log is then read without it (each event gets an empty object),
   * which is less to transfer and parse while catching up.
   */
  readonly withoutMetadata?: boolean;
  /** At most this many of its events per batch; unset: no cap. A reactor keeps its batches (and their redo) small. */
  readonly maxBatchEvents?: number;
  apply(events: readonly PersistedEvent[], tx: EntityManager): Promise<void>;
  /**
   * Optional, for catching up: a writer for one transaction over several pages of events, in log order. It may
   * keep what the pages change in memory and write it once in `finish` (a row touched by many events is then
   * written once per transaction rather than once per page). The worker uses it only while behind the head,
   * for at most PROJECTION_MAX_TRANSACTION_MS per transaction; `apply` must write the same as `open`, one
   * `write` and `finish`.
   */
  open?(tx: EntityManager): ProjectionTransaction;
  /**
   * For a reactor: what the events cause elsewhere (commands, each in a transaction of its own), run before the
   * batch's transaction so that no transaction stays open meanwhile, holding every projection's read horizon back.
   * The checkpoint moves only after `apply` commits, so a batch interrupted anywhere is reacted to again: `react`
   * must be idempotent (deterministic command ids). A rebuild does not react again.
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
