import type { EventToFold, Queryable } from './postgres-event-store.js';

export interface Snapshot {
  readonly streamId: string;
  /** The stream version the state reflects. */
  readonly version: number;
  /** The version of the state's shape (SnapshotDefinition.stateVersion). */
  readonly stateVersion: number;
  readonly state: Record<string, unknown>;
}

/** A snapshot and the time by which every event it reflects was recorded (null: unknown). */
export interface DatedSnapshot {
  readonly version: number;
  readonly state: Record<string, unknown>;
  readonly recordedBy: Date | null;
}

export interface SnapshotAndTail {
  /** Absent when the stream has none at the requested state version. */
  readonly snapshot?: { readonly version: number; readonly state: Record<string, unknown> };
  /** The events after the snapshot (all of them without one), in stream order. */
  readonly events: EventToFold[];
}

/** Stream versions are int4. */
const MAX_VERSION = 2_147_483_647;

/**
 * The latest snapshot at the wanted state version, when there is one, then the events after it: one statement, so
 * a stream without a snapshot costs no extra round trip. The snapshot row comes first (its version is below every
 * event's) and is told apart by its NULL type.
 */
const READ_WITH_TAIL_SQL = `
WITH snapshot AS (
  SELECT stream_version, state_version, state FROM snapshots
  WHERE stream_id = $1 AND state_version = $2 ORDER BY stream_version DESC LIMIT 1)
SELECT stream_version AS v, NULL::text AS t, state_version AS s, state AS d FROM snapshot
UNION ALL
SELECT stream_version, type, schema_version, data FROM events
WHERE stream_id = $1 AND stream_version > coalesce((SELECT stream_version FROM snapshot), 0)
ORDER BY v`;

/**
 * The latest snapshot at the wanted state version that the target includes: at or below `toVersion`, and, for an
 * instant, one whose events were all recorded by then (`recorded_by`, ms precision like `recordedAt`).
 */
const READ_AT_SQL = `
SELECT stream_version, state, recorded_by FROM snapshots
WHERE stream_id = $1 AND state_version = $2 AND stream_version <= $3
  AND ($4::timestamptz IS NULL OR date_trunc('milliseconds', recorded_by) <= $4)
ORDER BY stream_version DESC LIMIT 1`;

/**
 * Adds a snapshot; older ones stay (time travel starts from them). `recorded_by` extends the one of the snapshot
 * below by the events in between, so a write reads about SNAPSHOT_EVERY events, not the stream; NULL when that
 * one's is unknown or an event is missing. The first snapshot at a new state version deletes the stream's others.
 */
const WRITE_SQL = `
WITH below AS (
  SELECT stream_version, state_version, recorded_by FROM snapshots
  WHERE stream_id = $1 AND stream_version < $2 ORDER BY stream_version DESC LIMIT 1),
tail AS (
  SELECT max(recorded_at) AS recorded_by, count(*) AS n FROM events
  WHERE stream_id = $1 AND stream_version <= $2
    AND stream_version > coalesce((SELECT stream_version FROM below), 0)),
outdated AS (
  DELETE FROM snapshots WHERE stream_id = $1 AND state_version <> $3
    AND EXISTS (SELECT FROM below WHERE state_version <> $3))
INSERT INTO snapshots (stream_id, stream_version, state_version, state, recorded_by)
SELECT $1, $2, $3, $4::jsonb, CASE
  WHEN tail.n <> $2 - coalesce((SELECT stream_version FROM below), 0) THEN NULL
  WHEN NOT EXISTS (SELECT FROM below) THEN tail.recorded_by
  WHEN (SELECT recorded_by FROM below) IS NULL THEN NULL
  ELSE greatest(tail.recorded_by, (SELECT recorded_by FROM below)) END
FROM tail
ON CONFLICT (stream_id, stream_version) DO UPDATE
  SET state_version = EXCLUDED.state_version, state = EXCLUDED.state,
      recorded_by = EXCLUDED.recorded_by, created_at = now()
  WHERE snapshots.state_version <> EXCLUDED.state_version`;

/** Snapshots a fold passed on its way (their `recorded_by` known), replacing any at those versions. */
const FILL_SQL = `
INSERT INTO snapshots (stream_id, stream_version, state_version, state, recorded_by)
SELECT $1, v, $2, d::jsonb, r FROM unnest($3::int[], $4::text[], $5::timestamptz[]) AS f(v, d, r)
ON CONFLICT (stream_id, stream_version) DO UPDATE
  SET state_version = EXCLUDED.state_version, state = EXCLUDED.state,
      recorded_by = EXCLUDED.recorded_by, created_at = now()`;

/**
 * The snapshots of each stream, in `snapshots`: the latest starts a load, older ones start time travel. A cache of
 * a fold: losing a row only costs a longer fold.
 */
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

  /**
   * The latest snapshot at `stateVersion` that a fold up to `toVersion`, or up to the last event recorded by `until`,
   * passes through; undefined when there is none.
   */
  async readAt(
    streamId: string,
    stateVersion: number,
    { toVersion, until }: { toVersion?: number; until?: Date },
  ): Promise<DatedSnapshot | undefined> {
    const { rows } = await this.db.query<{
      stream_version: number;
      state: Record<string, unknown>;
      recorded_by: Date | null;
    }>({
      name: 'chronicle_read_snapshot_at',
      text: READ_AT_SQL,
      values: [streamId, stateVersion, toVersion ?? MAX_VERSION, until ?? null],
    });
    const [row] = rows;
    return row && { version: row.stream_version, state: row.state, recordedBy: row.recorded_by };
  }

  /** The stream's latest snapshot whatever its state version, or undefined. */
  async read(streamId: string): Promise<Snapshot | undefined> {
    const { rows } = await this.db.query<{
      stream_version: number;
      state_version: number;
      state: Record<string, unknown>;
    }>(
      `SELECT stream_version, state_version, state FROM snapshots WHERE stream_id = $1
       ORDER BY stream_version DESC LIMIT 1`,
      [streamId],
    );
    const [row] = rows;
    return row
      ? { streamId, version: row.stream_version, stateVersion: row.state_version, state: row.state }
      : undefined;
  }

  /**
   * Writes the snapshots a fold from the first event computed on its way, e.g. once an erasure deleted the older
   * ones: a snapshot at a version is the same fold whoever wrote it, so one there already is replaced.
   */
  async fill(
    streamId: string,
    stateVersion: number,
    snapshots: readonly DatedSnapshot[],
  ): Promise<void> {
    if (snapshots.length === 0) return;
    await this.db.query({
      name: 'chronicle_fill_snapshots',
      text: FILL_SQL,
      values: [
        streamId,
        stateVersion,
        snapshots.map((s) => s.version),
        snapshots.map((s) => JSON.stringify(s.state)),
        snapshots.map((s) => s.recordedBy),
      ],
    });
  }

  async write({ streamId, version, stateVersion, state }: Snapshot): Promise<void> {
    await this.db.query({
      name: 'chronicle_write_snapshot',
      text: WRITE_SQL,
      values: [streamId, version, stateVersion, JSON.stringify(state)],
    });
  }
}
