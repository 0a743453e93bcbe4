import type { FoldableEvent, Queryable } from './postgres-event-store.js';

export interface Snapshot {
  readonly streamId: string;
  /** The stream version the state reflects. */
  readonly version: number;
  /** The version of the state's shape (SnapshotDefinition.stateVersion). */
  readonly stateVersion: number;
  readonly state: Record<string, unknown>;
}

export interface SnapshotAndTail {
  /** Absent when the stream has none at the requested state version. */
  readonly snapshot?: { readonly version: number; readonly state: Record<string, unknown> };
  /** The events after the snapshot (all of them without one), in stream order. */
  readonly events: FoldableEvent[];
}

/**
 * The snapshot, when there is one at the wanted state version, then the events after it: one statement, so a
 * stream without a snapshot costs no extra round trip. The snapshot row comes first (its version is below every
 * event's) and is told apart by its NULL type.
 */
const READ_WITH_TAIL_SQL = `
SELECT stream_version AS v, NULL::text AS t, state_version AS s, state AS d
FROM snapshots WHERE stream_id = $1 AND state_version = $2
UNION ALL
SELECT stream_version, type, schema_version, data FROM events
WHERE stream_id = $1 AND stream_version > coalesce(
  (SELECT stream_version FROM snapshots WHERE stream_id = $1 AND state_version = $2), 0)
ORDER BY v`;

/** Only a newer snapshot, or one of another state version (which the reader ignores anyway), replaces a row. */
const WRITE_SQL = `
INSERT INTO snapshots (stream_id, stream_version, state_version, state)
VALUES ($1, $2, $3, $4::jsonb)
ON CONFLICT (stream_id) DO UPDATE
  SET stream_version = EXCLUDED.stream_version, state_version = EXCLUDED.state_version,
      state = EXCLUDED.state, created_at = now()
  WHERE snapshots.stream_version < EXCLUDED.stream_version
     OR snapshots.state_version <> EXCLUDED.state_version`;

/** The latest snapshot of each stream, in `snapshots`. A cache of a fold: losing a row only costs a longer load. */
export class PostgresSnapshotStore {
  constructor(private readonly db: Queryable) {}

  async readWithTail(streamId: string, stateVersion: number): Promise<SnapshotAndTail> {
    const { rows } = await this.db.query<{
      v: number;
      t: string | null;
      s: number;
      d: Record<string, unknown>;
    }>({
      name: 'chronicle_read_snapshot_fold',
      text: READ_WITH_TAIL_SQL,
      values: [streamId, stateVersion],
    });
    const snapshot = rows[0]?.t === null ? { version: rows[0].v, state: rows[0].d } : undefined;
    const events = (snapshot ? rows.slice(1) : rows).map((r) => ({
      streamVersion: r.v,
      type: r.t as string,
      schemaVersion: r.s,
      data: r.d,
    }));
    return { snapshot, events };
  }

  /** The stream's snapshot whatever its state version, or undefined. */
  async read(streamId: string): Promise<Snapshot | undefined> {
    const { rows } = await this.db.query<{
      stream_version: number;
      state_version: number;
      state: Record<string, unknown>;
    }>('SELECT stream_version, state_version, state FROM snapshots WHERE stream_id = $1', [
      streamId,
    ]);
    const [row] = rows;
    return row
      ? { streamId, version: row.stream_version, stateVersion: row.state_version, state: row.state }
      : undefined;
  }

  async write({ streamId, version, stateVersion, state }: Snapshot): Promise<void> {
    await this.db.query({
      name: 'chronicle_write_snapshot',
      text: WRITE_SQL,
      values: [streamId, version, stateVersion, JSON.stringify(state)],
    });
  }
}
