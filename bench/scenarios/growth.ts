import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { commandEventId } from '../../src/event-store/index.js';
import { alternate, concurrently, type Side } from '../harness/alternate.js';
import { openBenchDatabase } from '../harness/database.js';
import { describeEnvironment } from '../harness/environment.js';
import {
  accountIds,
  accountStore,
  commandMetadata,
  deposited,
  streamOf,
} from '../harness/fixtures.js';
import { median, pairedRatio, summarise } from '../harness/stats.js';
import { count, growthTable, saveGrowth, verdict, type GrowthRow } from './growth-report.js';
import { prepareSeed, RAW_TABLE, seed, type IdKind, type SeedTarget } from './growth-seed.js';

export interface GrowthOptions {
  /** Log sizes to measure at, ascending; 0 is the empty table. */
  sizes: number[];
  ids: IdKind;
  /** Appends of one event per measurement window. */
  appends: number;
  rounds: number;
  save: boolean;
}

const STREAMS = 10_000;
const WRITERS = 8;

/**
 * Appends/s and WAL bytes per event, ours (PostgresEventStore.append, 1 event per call, expected version known)
 * against raw (one INSERT into a plain events table), on the empty log and after seeding it to each size.
 * Each window starts with a CHECKPOINT, so the full-page images of the first touch of each page are counted.
 */
export async function runGrowth(
  options: GrowthOptions,
  log: (line: string) => void,
): Promise<void> {
  const db = await openBenchDatabase();
  const pool = new pg.Pool({ connectionString: db.url, max: WRITERS + 1 });
  try {
    const environment = await describeEnvironment(db.url, db.server);
    log(
      `Growth: sizes ${options.sizes.map(count).join(', ')}, ${options.appends.toLocaleString('en-US')} appends per window, ` +
        `${options.rounds} rounds, ${WRITERS} writers over ${STREAMS.toLocaleString('en-US')} streams, ` +
        `PostgreSQL ${environment.postgres.version}, load ${environment.loadAverageAtStart.join(', ')}`,
    );
    const store = accountStore(pool);
    const { idSql, described } = await prepareSeed(pool, store, options.ids);
    log(`  ours' event ids: ${described}`);
    const streams = accountIds(STREAMS, 'growth').map(streamOf);
    const schemaVersions = {
      opened: store.registry.definitionOf('AccountOpened').schemaVersion,
      deposited: store.registry.definitionOf('MoneyDeposited').schemaVersion,
    };
    const seeded: SeedTarget = { pool, streams, versions: zeros(), schemaVersions };
    let logged = 0;
    const rows: GrowthRow[] = [];
    for (const size of options.sizes) {
      if (size > logged) {
        const began = performance.now();
        await seed(seeded, size - logged, idSql);
        await pool.query(`ANALYZE events`);
        await pool.query(`ANALYZE ${RAW_TABLE}`);
        log(
          `  seeded to ${count(size)} events each (${((performance.now() - began) / 1000).toFixed(0)} s)`,
        );
        logged = size;
      }
      log(`  log of ${count(size)} events`);
      rows.push(
        await measureAt({ size, pool, store, streams, versions: seeded.versions }, options, log),
      );
      // What the windows appended counts towards the next size.
      logged += (options.rounds + 1) * options.appends;
    }
    const table = growthTable(rows);
    log(`\n${table}\n\n${verdict(rows)}`);
    if (options.save) {
      const workload = `${WRITERS} writers, 1 event per append, ${STREAMS.toLocaleString('en-US')} streams; ours' ids: ${described}`;
      saveGrowth(environment, options, workload, rows, table);
    }
  } finally {
    await pool.end();
    await db.close();
  }
}

interface Log {
  size: number;
  pool: pg.Pool;
  store: ReturnType<typeof accountStore>;
  streams: readonly string[];
  /** Each stream's version, the same in both tables; advanced by the windows. */
  versions: number[];
}

async function measureAt(
  { size, pool, store, streams, versions }: Log,
  options: GrowthOptions,
  log: (line: string) => void,
): Promise<GrowthRow> {
  const ours = [...versions];
  const raw = [...versions];
  const ids = streams.map((s) => s.slice('account-'.length));
  const window = (table: string, append: (call: number, s: number) => Promise<void>): Side => ({
    prepare: async () => {
      await pool.query('CHECKPOINT');
    },
    async measure() {
      const before = await walState(pool, table);
      const run = await concurrently(WRITERS, options.appends, (call) =>
        append(call, call % STREAMS),
      );
      // Backends report their WAL statistics when idle, at most once a second.
      await sleep(1500);
      const after = await walState(pool, table);
      if (after.position - before.position !== options.appends)
        throw new Error(
          `${table} gained ${after.position - before.position} events, expected ${options.appends}`,
        );
      return {
        ops: options.appends,
        ...run,
        counters: {
          walBytesPerEvent: (after.lsn - before.lsn) / options.appends,
          fpiPerEvent: (after.fpi - before.fpi) / options.appends,
          foreignCommits: after.foreignCommits - before.foreignCommits,
        },
      };
    },
  });
  const runs = await alternate(
    { rounds: options.rounds, warmups: 1, log },
    window('events', async (call, s) => {
      const metadata = commandMetadata();
      const event = deposited(ids[s], call, metadata);
      const eventId =
        options.ids === 'command' ? commandEventId(metadata.commandId!, streams[s], 0) : undefined;
      const result = await store.append(streams[s], [{ ...event, eventId }], {
        expectedVersion: ours[s],
      });
      ours[s] = result.version;
    }),
    window(RAW_TABLE, async (call, s) => {
      const event = deposited(ids[s], call);
      await pool.query({
        name: 'growth_raw_append',
        text: `INSERT INTO ${RAW_TABLE} (stream_id, stream_version, type, data, metadata)
               VALUES ($1, $2, $3, $4, $5) RETURNING global_position`,
        values: [
          streams[s],
          raw[s] + 1,
          event.type,
          JSON.stringify(event.data),
          JSON.stringify(event.metadata),
        ],
      });
      raw[s] += 1;
    }),
  );
  // Both sides appended to the same streams alike, so the seed goes on from either.
  if (ours.some((v, s) => v !== raw[s])) throw new Error('ours and raw streams differ in length');
  versions.splice(0, versions.length, ...ours);
  const o = summarise(runs.ours);
  const b = summarise(runs.baseline);
  const oursWal = median(o.counters.walBytesPerEvent);
  const rawWal = median(b.counters.walBytesPerEvent);
  return {
    size,
    oursPerSecond: o.throughput.median,
    rawPerSecond: b.throughput.median,
    ratio: pairedRatio(o.perRound, b.perRound).median,
    oursWalPerEvent: oursWal,
    rawWalPerEvent: rawWal,
    walRatio: oursWal / rawWal,
    oursFpiPerEvent: median(o.counters.fpiPerEvent),
    rawFpiPerEvent: median(b.counters.fpiPerEvent),
    foreignCommits: [...o.counters.foreignCommits, ...b.counters.foreignCommits].reduce(
      (x, y) => x + y,
      0,
    ),
  };
}

/** The WAL position, the server's full-page images so far, the table's last position, other databases' commits. */
async function walState(pool: pg.Pool, table: string) {
  const { rows } = await pool.query<{
    lsn: string;
    fpi: string;
    position: string;
    foreign: string;
  }>(
    `SELECT pg_current_wal_lsn() - '0/0'::pg_lsn AS lsn, (SELECT wal_fpi FROM pg_stat_wal) AS fpi,
       (SELECT coalesce(max(global_position), 0) FROM ${table}) AS position,
       (SELECT sum(xact_commit) FROM pg_stat_database WHERE datname <> current_database()) AS foreign`,
  );
  const [r] = rows;
  return {
    lsn: Number(r.lsn),
    fpi: Number(r.fpi),
    position: Number(r.position),
    foreignCommits: Number(r.foreign),
  };
}

const zeros = () => new Array<number>(STREAMS).fill(0);
