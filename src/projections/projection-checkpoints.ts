import type { DataSource } from 'typeorm';
import type { Checkpoint } from '../event-store/event-store.types.js';

/** Qualified: a rebuild puts its shadow schema first on the search path. */
export const CHECKPOINTS = 'public.projection_checkpoints';

export type StoredStatus = 'catching-up' | 'live' | 'rebuilding' | 'failed';

export interface CheckpointRow {
  name: string;
  checkpoint: Checkpoint;
  status: StoredStatus;
  lastError: string | null;
  startedAt: Date;
}

const SELECT = `SELECT name, transaction_id::text AS transaction_id, global_position, status, last_error, started_at
  FROM ${CHECKPOINTS}`;

function toRow(row: Record<string, unknown>): CheckpointRow {
  return {
    name: row.name as string,
    checkpoint: {
      transactionId: row.transaction_id as string,
      position: Number(row.global_position),
    },
    status: row.status as StoredStatus,
    lastError: (row.last_error as string | null) ?? null,
    startedAt: row.started_at as Date,
  };
}

export async function readCheckpointRow(
  db: Pick<DataSource, 'query'>,
  name: string,
): Promise<CheckpointRow | undefined> {
  const [row] = await db.query(`${SELECT} WHERE name = $1`, [name]);
  return row ? toRow(row) : undefined;
}

export async function readCheckpointRows(db: Pick<DataSource, 'query'>): Promise<CheckpointRow[]> {
  return (await db.query(`${SELECT} ORDER BY name`)).map(toRow);
}

/** Creates the row at the start of the log when missing: a projection born late back-fills from all events. */
export async function ensureCheckpointRow(
  db: Pick<DataSource, 'query'>,
  name: string,
): Promise<CheckpointRow> {
  await db.query(`INSERT INTO ${CHECKPOINTS} (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [
    name,
  ]);
  return (await readCheckpointRow(db, name))!;
}

export const rebuildCheckpointName = (name: string) => `${name}:rebuild`;
