import pg from 'pg';
import { childMain, peakRssMiB } from '../harness/children.js';

export interface ReadLogInput {
  databaseUrl: string;
  page: number;
}

export interface ReadLogOutput {
  events: number;
  seconds: number;
  peakRssMiB: number;
}

/**
 * The fastest correct bare-pg read of what the catch-up reads: the events in commit-safe order (transactions older
 * than every running one, by (transaction id, position): a late commit is never skipped), keyset pages through the
 * `events_commit_order_idx` index, one prepared statement, the columns the accounts projection reads (no metadata).
 * The keyset by global_position it replaces can skip a late commit, and was slower (bench/findings.md, 2026-12-06 17:15).
 */
const READ_LOG_IN_COMMIT_ORDER = {
  name: 'baseline_read_log_in_commit_order',
  text: `SELECT global_position, stream_id, stream_version, event_id, type, schema_version, data, recorded_at,
    transaction_id::text AS transaction_id
  FROM events
  WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
    AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
  ORDER BY events.transaction_id, events.global_position
  LIMIT $3`,
};

/** The baseline read of the log in its own process, with bare pg. */
void childMain<ReadLogInput, ReadLogOutput>(async ({ databaseUrl, page }) => {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  try {
    await pool.query('SELECT 1');
    const start = performance.now();
    let after = { transactionId: '0', position: '0' };
    let events = 0;
    for (;;) {
      const { rows } = await pool.query<{ global_position: string; transaction_id: string }>({
        ...READ_LOG_IN_COMMIT_ORDER,
        values: [after.transactionId, after.position, page],
      });
      if (rows.length === 0) break;
      events += rows.length;
      const last = rows[rows.length - 1];
      after = { transactionId: last.transaction_id, position: last.global_position };
    }
    return { events, seconds: (performance.now() - start) / 1000, peakRssMiB: peakRssMiB() };
  } finally {
    await pool.end();
  }
});
