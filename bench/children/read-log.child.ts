import pg from 'pg';
import { READ_LOG_PAGE } from '../baseline/baseline-sql.js';
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

/** The baseline read of the log in its own process: keyset pages by global_position with bare pg. */
void childMain<ReadLogInput, ReadLogOutput>(async ({ databaseUrl, page }) => {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  try {
    await pool.query('SELECT 1');
    const start = performance.now();
    let after = 0;
    let events = 0;
    for (;;) {
      const { rows } = await pool.query<{ global_position: string }>(READ_LOG_PAGE, [after, page]);
      if (rows.length === 0) break;
      events += rows.length;
      after = Number(rows[rows.length - 1].global_position);
    }
    return { events, seconds: (performance.now() - start) / 1000, peakRssMiB: peakRssMiB() };
  } finally {
    await pool.end();
  }
});
