import type { DataSource, EntityManager } from 'typeorm';
import type { Checkpoint } from '../event-store/event-store.types.js';
import { reached } from './checkpoint.js';

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

/** Polls the stored rows until every one has reached `target`: false at `deadline`. */
export async function waitForStoredCheckpoints(
  db: Pick<DataSource, 'query'>,
  { names, target, deadline }: { names: readonly string[]; target: Checkpoint; deadline: number },
): Promise<boolean> {
  for (;;) {
    const rows = await Promise.all(names.map((name) => readCheckpointRow(db, name)));
    if (rows.every((row) => row && reached(row.checkpoint, target))) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const rebuildCheckpointName = (name: string) => `${name}:rebuild`;

type Query = Pick<EntityManager, 'query'>;

/**
 * Locks the row for the batch's transaction: its checkpoint and status as stored now. `asyncCommit` also turns
 * synchronous_commit off for the transaction in the same statement (a round trip less per batch than SET LOCAL).
 */
export async function lockCheckpointRow(
  tx: Query,
  name: string,
  { asyncCommit = false }: { asyncCommit?: boolean } = {},
): Promise<{ checkpoint: Checkpoint; status: StoredStatus }> {
  const [row] = await tx.query(
    `SELECT transaction_id::text AS transaction_id, global_position, status${
      asyncCommit ? `, set_config('synchronous_commit', 'off', true)` : ''
    } FROM ${CHECKPOINTS} WHERE name = $1 FOR UPDATE`,
    [name],
  );
  if (!row) throw new Error(`Projection checkpoint ${name} is missing`);
  return {
    checkpoint: { transactionId: row.transaction_id, position: Number(row.global_position) },
    status: row.status as StoredStatus,
  };
}

/** Inside the batch's transaction, after lockCheckpointRow. */
export async function moveCheckpoint(
  tx: Query,
  name: string,
  to: Checkpoint,
  status: 'live' | 'catching-up',
): Promise<void> {
  await tx.query(
    `UPDATE ${CHECKPOINTS} SET transaction_id = $2::xid8, global_position = $3, status = $4,
       last_error = NULL, updated_at = now() WHERE name = $1`,
    [name, to.transactionId, to.position, status],
  );
}

/** One compare-and-set statement, no transaction: false when the row is no longer at `from` or failed. */
export async function moveCheckpointIfAt(
  db: Query,
  name: string,
  { from, to, status }: { from: Checkpoint; to: Checkpoint; status: 'live' | 'catching-up' },
): Promise<boolean> {
  const [, moved] = await db.query(
    `UPDATE ${CHECKPOINTS} SET transaction_id = $4::xid8, global_position = $5, status = $6,
       last_error = NULL, updated_at = now()
     WHERE name = $1 AND transaction_id = $2::xid8 AND global_position = $3 AND status <> 'failed'`,
    [name, from.transactionId, from.position, to.transactionId, to.position, status],
  );
  return moved !== 0;
}

/** Leaves a failed status alone: only an operator clears it. */
export async function storeRunningStatus(
  db: Query,
  name: string,
  status: 'live' | 'catching-up',
): Promise<void> {
  await db.query(
    `UPDATE ${CHECKPOINTS} SET status = $2, last_error = NULL WHERE name = $1 AND status <> 'failed'`,
    [name, status],
  );
}

/**
 * A dependency's outage (DependencyUnavailable), shown in the status until a batch commits again (which clears
 * it); a failed row keeps its own error.
 */
export async function storeDependencyError(db: Query, name: string, error: string): Promise<void> {
  await db.query(
    `UPDATE ${CHECKPOINTS} SET last_error = $2, updated_at = now() WHERE name = $1 AND status <> 'failed'`,
    [name, error],
  );
}
