import { SetMetadata } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PersistedEvent } from '../event-store/persisted-event.js';

/** What every kind declares: the events it reads, and what of them it never reads. */
export interface ProcessorOptions {
  /** Event types it reads; the others only move its checkpoint. */
  readonly eventTypes: readonly string[];
  /** It never reads `metadata`: the log is read without it (an empty object), less to transfer and parse. */
  readonly withoutMetadata?: boolean;
  /** It reads no event's `data`: events come as stored (no personal data decrypted, no key lookups, not upcast). */
  readonly withoutData?: boolean;
  /** While live, a run at most this often (ms; PROJECTION_WAKE_INTERVAL_MS if more): larger batches, fewer transactions. */
  readonly wakeIntervalMs?: number;
}

/**
 * A read model fed from the global log, a batch per transaction; tables unqualified, so a rebuild can redirect them.
 * See docs/architecture.md#projections.
 */
export interface ReadModel extends ProcessorOptions {
  /** The read tables this projection alone writes. */
  readonly tables: readonly string[];
  /**
   * Of `tables`, those it only inserts into, never reading, updating or upserting them: a rebuild fills their
   * copies without keys or indexes and builds those once caught up (a key violated fails the rebuild then).
   */
  readonly insertOnly?: readonly string[];
  apply(events: readonly PersistedEvent[], tx: EntityManager): Promise<void>;
  /** While catching up, one transaction over several reads (a row touched often is written once); writes as `apply`. */
  open?(tx: EntityManager): ProjectionTransaction;
}

/** What `ReadModel.open` returns: pages of one transaction, then `finish` before the commit. */
export interface ProjectionTransaction {
  write(events: readonly PersistedEvent[]): Promise<void>;
  finish(): Promise<void>;
}

/**
 * Reacts with commands and owns no tables: `react` runs before the batch's transaction, which only moves the
 * checkpoint, and must be idempotent (a batch interrupted anywhere comes again). A rebuild reacts to nothing.
 * See docs/architecture.md#projections.
 */
export interface Reactor extends ProcessorOptions {
  /** At most this many of its events per batch: keeps what a crash makes it redo small. */
  readonly maxBatchEvents?: number;
  react(events: readonly PersistedEvent[]): Promise<void>;
}

/** Does its work in the transaction that moves its checkpoint: what it writes and its checkpoint commit together. */
export interface Consumer extends ProcessorOptions {
  consume(events: readonly PersistedEvent[], tx: EntityManager): Promise<void>;
}

/** What the engine runs under a checkpoint, by the kind its decorator registered. */
export type Processor =
  | { readonly kind: 'projection'; readonly handler: ReadModel }
  | { readonly kind: 'reactor'; readonly handler: Reactor }
  | { readonly kind: 'consumer'; readonly handler: Consumer };

export type ProcessorKind = Processor['kind'];

export const PROCESSOR_METADATA = Symbol('chronicle:processor');

/** What `@Projection`, `@Reactor` and `@Consumer` register on a provider's class. */
export interface ProcessorMetadata {
  /** Its checkpoint's name, shown in /admin/projections. */
  readonly name: string;
  readonly kind: ProcessorKind;
}

type Handler<K extends ProcessorKind> = Extract<Processor, { kind: K }>['handler'];

const registers =
  <K extends ProcessorKind>(kind: K) =>
  (name: string) =>
  <T extends abstract new (...args: never[]) => Handler<K>>(target: T): void => {
    SetMetadata<symbol, ProcessorMetadata>(PROCESSOR_METADATA, { name, kind })(target);
  };

/** Marks a provider as a read model with a durable checkpoint under `name`. */
export const Projection = registers('projection');
/** Marks a provider as a reactor under `name`: a checkpoint, a lease and log order, and no tables. */
export const Reactor = registers('reactor');
/** Marks a provider as a consumer under `name`: its work commits with its checkpoint. */
export const Consumer = registers('consumer');

/** The provider `instance` as the kind its class registered. */
export function asProcessor(kind: ProcessorKind, instance: unknown): Processor {
  switch (kind) {
    case 'projection':
      return { kind, handler: instance as ReadModel };
    case 'reactor':
      return { kind, handler: instance as Reactor };
    case 'consumer':
      return { kind, handler: instance as Consumer };
    default:
      return unknownKind(kind);
  }
}

/** The tables a rebuild copies: a read model's own; a reactor or a consumer has none. */
export function tablesOf(processor: Processor): readonly string[] {
  switch (processor.kind) {
    case 'projection':
      return processor.handler.tables;
    case 'reactor':
    case 'consumer':
      return [];
    default:
      return unknownKind(processor);
  }
}

export function unknownKind(kind: never): never {
  throw new Error(`Unknown processor kind: ${JSON.stringify(kind)}`);
}
