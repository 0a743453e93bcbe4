import type { EntityManager, ObjectLiteral } from 'typeorm';
import type { PersistedEvent } from '../event-store/persisted-event.js';
import { BinaryCopy } from './binary-copy.js';
import { EntityTable, KEY_SEPARATOR } from './entity-table.js';
import type { ProjectionTransaction } from './processor.js';

/** The id of a row with a key of several columns: their values, in the entity's order, joined. */
export const compositeId = (...values: readonly string[]) => values.join(KEY_SEPARATOR);

/** An event as a projection's `evolve` sees it: its typed `type` and `data`, and its place in the log. */
export type ProjectedEvent<E extends { type: string; data: unknown }> = E &
  Pick<PersistedEvent, 'streamVersion' | 'globalPosition' | 'recordedAt'>;

/**
 * A read model declared as a fold over one TypeORM entity: each event evolves the row `rowId` names (null: a new
 * row; returning null deletes it, returning the same object changes nothing). Model: emmett's
 * pongoSingleStreamProjection (docs/architecture.md#projections).
 */
export interface EntityProjection<
  Row extends ObjectLiteral,
  E extends { type: string; data: unknown },
> {
  /** The `@Entity` class; a key of several columns names its rows with `compositeId`. */
  readonly entity: new () => Row;
  /** The primary key of the row an event evolves; null: the event touches no row. */
  rowId(event: ProjectedEvent<E>): string | null;
  evolve(row: Row | null, event: ProjectedEvent<E>): Row | null;
  /** Rows written once and never changed: none is read, a stored one is left as it is. */
  readonly appendOnly?: boolean;
  /** Columns written only when the row is inserted (all of them: a stored row is never overwritten). */
  readonly insertOnly?: ReadonlyArray<keyof Row & string>;
  /** The condition (stored row `t`, new values `EXCLUDED`) under which a stored row is overwritten. */
  readonly overwriteWhen?: string;
  /** Called with the rows about to be written, on the writer's transaction (to seal personal data, say). */
  beforeWrite?(rows: readonly Row[], tx: EntityManager): Promise<void>;
}

/** Events as read from the log, or already typed (e.g. given what they lack from another table). */
type Events<E extends { type: string; data: unknown }> = ReadonlyArray<
  PersistedEvent | ProjectedEvent<E>
>;

/** Called for every event a writer folds, with the row before and after it (the same object: unchanged). */
export type OnEvolved<Row, E extends { type: string; data: unknown }> = (
  event: ProjectedEvent<E>,
  before: Row | null,
  after: Row | null,
) => void;

/** Folds events over the rows in `rows` (the rows they touch must be there: null for none). */
export function foldRows<Row extends ObjectLiteral, E extends { type: string; data: unknown }>({
  projection,
  rows,
  events,
  changed,
  onEvolved,
}: {
  projection: EntityProjection<Row, E>;
  rows: Map<string, Row | null>;
  events: Events<E>;
  /** Collects the ids of the rows the events changed. */
  changed: Set<string>;
  onEvolved?: OnEvolved<Row, E>;
}): void {
  for (const stored of events) {
    const event = stored as unknown as ProjectedEvent<E>;
    const id = projection.rowId(event);
    if (id === null) continue;
    const before = rows.get(id) ?? null;
    const after = projection.evolve(before, event);
    onEvolved?.(event, before, after);
    if (after === before) continue;
    rows.set(id, after);
    changed.add(id);
  }
}

/**
 * The one writer of entity projections, for one transaction over one or more pages of events: each page loads
 * the rows it touches that this transaction has not read yet (one query) and is folded in memory; `finish` writes
 * every changed row once, one `unnest` upsert and one delete. Table names stay unqualified, so a rebuild's
 * search_path points them at its copies.
 */
export class EntityWriter<
  Row extends ObjectLiteral,
  E extends { type: string; data: unknown },
> implements ProjectionTransaction {
  private readonly rows = new Map<string, Row | null>();
  private readonly changed = new Set<string>();
  private readonly table: EntityTable;

  constructor(
    private readonly projection: EntityProjection<Row, E>,
    private readonly tx: EntityManager,
    private readonly onEvolved?: OnEvolved<Row, E>,
  ) {
    this.table = EntityTable.of(projection, tx);
  }

  /** The row `id` names as folded so far (null: none), once a page naming it was written. */
  row(id: string): Row | null {
    return this.rows.get(id) ?? null;
  }

  async write(events: Events<E>): Promise<void> {
    if (!this.projection.appendOnly) await this.load(events);
    const { projection, rows, changed, onEvolved } = this;
    foldRows({ projection, rows, events, changed, onEvolved });
  }

  /** Reads the rows these events touch that this transaction has not read yet; null: none stored. */
  private async load(events: Events<E>): Promise<void> {
    const unseen = new Set<string>();
    for (const event of events) {
      const id = this.projection.rowId(event as unknown as ProjectedEvent<E>);
      if (id !== null && !this.rows.has(id)) unseen.add(id);
    }
    if (unseen.size === 0) return;
    for (const id of unseen) this.rows.set(id, null);
    for (const row of await this.table.load(this.tx, [...unseen])) {
      this.rows.set(this.table.idOf(row), row as Row);
    }
  }

  async finish(): Promise<void> {
    if (this.changed.size === 0) return;
    const upserts: Row[] = [];
    const deletes: string[] = [];
    for (const id of this.changed) {
      const row = this.rows.get(id);
      if (row) upserts.push(row);
      else deletes.push(id);
    }
    this.changed.clear();
    if (upserts.length > 0) {
      await this.projection.beforeWrite?.(upserts, this.tx);
      await this.table.upsert(this.tx, upserts);
    }
    if (deletes.length > 0) await this.table.delete(this.tx, deletes);
  }
}

/** One page of events written through one entity projection: the whole `apply` of most projections. */
export async function writeEntities<
  Row extends ObjectLiteral,
  E extends { type: string; data: unknown },
>(projection: EntityProjection<Row, E>, events: Events<E>, tx: EntityManager): Promise<void> {
  const writer = new EntityWriter(projection, tx);
  await writer.write(events);
  await writer.finish();
}

/**
 * Rows of an entity built outside a fold (the statement lines of the balances' fold, say), each new to its table:
 * one binary COPY. A stored row with the same key fails the transaction: the caller's rows must be new (a fold
 * yields them only for events its own rows, written in the same transactions, do not reflect yet).
 */
export async function insertNewRows<Row extends ObjectLiteral>(
  entity: new () => Row,
  rows: readonly Row[],
  tx: EntityManager,
): Promise<void> {
  if (rows.length > 0) await BinaryCopy.of(entity, tx).write(tx, rows);
}
