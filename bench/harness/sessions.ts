import pg from 'pg';
import type { Side } from './alternate.js';

/**
 * Counts the PostgreSQL sessions opened on the bench database (pg_stat_database.sessions, PostgreSQL 14+) from a
 * connection of its own, opened once: a side that loses connections (pg-pool destroys a client whose query failed)
 * shows the churn as sessions opened during its measurement.
 */
export async function sessionCounter(databaseUrl: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const opened = async () => {
    const { rows } = await client.query<{ sessions: string }>(
      'SELECT sessions FROM pg_stat_database WHERE datname = current_database()',
    );
    return Number(rows[0].sessions);
  };
  return {
    /** The side with a `sessions` counter: sessions opened from the start to the end of each measurement. */
    counted(side: Side): Side {
      return {
        ...side,
        async measure() {
          const before = await opened();
          const measurement = await side.measure();
          const sessions = (await opened()) - before;
          return { ...measurement, counters: { ...measurement.counters, sessions } };
        },
      };
    },
    close: () => client.end(),
  };
}
