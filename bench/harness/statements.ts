import type pg from 'pg';

/**
 * With BENCH_PG_STATEMENTS=1 (and the server started with
 * BENCH_PG_FLAGS="-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track_planning=on"),
 * scenarios log where PostgreSQL spent its time: the statements by total planning + execution time.
 */
export const statementsWanted = () => process.env.BENCH_PG_STATEMENTS === '1';

export async function resetStatements(pool: pg.Pool): Promise<void> {
  if (!statementsWanted()) return;
  await pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  await pool.query('SELECT pg_stat_statements_reset()');
}

export async function logStatements(
  pool: pg.Pool,
  log: (line: string) => void,
  top = 15,
): Promise<void> {
  if (!statementsWanted()) return;
  const { rows } = await pool.query<{
    calls: string;
    plan: number;
    exec: number;
    rows: string;
    query: string;
  }>(
    `SELECT calls, total_plan_time AS plan, total_exec_time AS exec, rows, query FROM pg_stat_statements
     WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
     ORDER BY total_plan_time + total_exec_time DESC LIMIT $1`,
    [top],
  );
  log('    pg_stat_statements: calls, plan ms, exec ms (totals), mean plan+exec µs, query');
  for (const r of rows) {
    const mean = ((r.plan + r.exec) * 1000) / Number(r.calls);
    const sql = r.query.replace(/\s+/g, ' ').slice(0, 110);
    log(
      `    ${r.calls.padStart(7)} ${r.plan.toFixed(0).padStart(7)} ${r.exec.toFixed(0).padStart(7)} ${mean.toFixed(0).padStart(6)} ${sql}`,
    );
  }
}
