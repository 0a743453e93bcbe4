import type { DataSource } from 'typeorm';
import { LEASE_LOCK_SPACE, REBUILD_LOCK_SPACE } from './leases.js';
import { readCheckpointRows, rebuildCheckpointName } from './projection-checkpoints.js';
import type { ProjectionStatus } from './projection-status.js';

/** A transaction open this long that holds committed events behind the horizon is worth naming. */
const HORIZON_REPORT_AFTER = '1 second';

/**
 * From the database, so every instance and the CLI answer the same.
 * See docs/architecture.md#projections.
 */
export async function readProjectionStatuses(
  db: Pick<DataSource, 'query'>,
  names: readonly string[],
  processed: (name: string) => number,
  eventTypes: (name: string) => readonly string[],
): Promise<ProjectionStatus[]> {
  const rows = new Map((await readCheckpointRows(db)).map((row) => [row.name, row]));
  const [{ head }] = await db.query(
    'SELECT coalesce(max(global_position), 0)::bigint AS head FROM events',
  );
  const locks: Array<{ space: number; objid: string; pid: number; application_name: string }> =
    await db.query(
      `SELECT l.classid::bigint AS space, l.objid::text AS objid, l.pid, a.application_name
       FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND l.classid::bigint = ANY($1)
         AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [[LEASE_LOCK_SPACE, REBUILD_LOCK_SPACE]],
    );
  const keys: Array<{ name: string; objid: string }> = await db.query(
    'SELECT name, hashtext(name)::oid::text AS objid FROM unnest($1::text[]) AS name',
    [names],
  );
  const lockOf = (space: number, name: string) => {
    const objid = keys.find((k) => k.name === name)?.objid;
    return locks.find((l) => Number(l.space) === space && l.objid === objid);
  };
  const horizon = await horizonHolder(db);

  const statuses: ProjectionStatus[] = [];
  for (const name of names) {
    const row = rows.get(name);
    if (!row) continue;
    const lease = lockOf(LEASE_LOCK_SPACE, name);
    const rebuildRow = rows.get(rebuildCheckpointName(name));
    const rebuilding = rebuildRow && lockOf(REBUILD_LOCK_SPACE, name);
    const [lag] = await db.query(
      `SELECT count(*)::bigint AS events, (extract(epoch FROM now() - min(recorded_at)) * 1000)::bigint AS ms
       FROM events WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint) AND type = ANY($3::text[])`,
      [row.checkpoint.transactionId, row.checkpoint.position, eventTypes(name)],
    );
    const lagEvents = Number(lag.events);
    statuses.push({
      name,
      status: rebuilding ? 'rebuilding' : lease || row.status === 'failed' ? row.status : 'stopped',
      checkpoint: row.checkpoint,
      headPosition: Number(head),
      lagEvents,
      lagMs: lagEvents > 0 ? Math.max(0, Number(lag.ms)) : 0,
      processed: processed(name),
      lastError: row.lastError,
      owner: lease ? { instance: lease.application_name ?? '', pid: lease.pid } : null,
      rebuild: rebuilding
        ? { checkpoint: rebuildRow.checkpoint, startedAt: rebuildRow.startedAt.toISOString() }
        : null,
      horizonHeldBy: lagEvents > 0 ? horizon : null,
    });
  }
  return statuses;
}

async function horizonHolder(
  db: Pick<DataSource, 'query'>,
): Promise<ProjectionStatus['horizonHeldBy']> {
  const [holder] = await db.query(
    `SELECT a.pid, a.xact_start, a.state FROM pg_stat_activity a
     WHERE a.backend_xid IS NOT NULL AND a.pid <> pg_backend_pid()
       AND a.xact_start < now() - interval '${HORIZON_REPORT_AFTER}'
       AND EXISTS (SELECT 1 FROM events
                   WHERE transaction_id >= pg_snapshot_xmin(pg_current_snapshot()))
     ORDER BY age(a.backend_xid) DESC LIMIT 1`,
  );
  return holder
    ? { pid: holder.pid, since: new Date(holder.xact_start).toISOString(), state: holder.state }
    : null;
}
