import type pg from 'pg';
import {
  commandEventId,
  type PostgresEventStore,
  timeOrderedUuid,
} from '../../src/event-store/index.js';
import { deposited } from '../harness/fixtures.js';

/**
 * How the appended events get their ids: `command` as EventSourcedRepository derives them from the command
 * (commandEventId of a time-ordered command id, what the app's deposits store), `generated` as the store makes
 * them when given none (probed from the store, so a switch to time-ordered ids is followed).
 */
export type IdKind = 'command' | 'generated';

/** The raw side's plain events table: no event id index, nothing but what an append must keep. */
export const RAW_TABLE = 'growth_raw_events';

const SCHEMA = `
CREATE TABLE ${RAW_TABLE} (
  global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  stream_id text NOT NULL,
  stream_version int NOT NULL,
  type text NOT NULL,
  data jsonb NOT NULL,
  metadata jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (stream_id, stream_version)
);
-- deterministicUuid (src/event-store/event-ids.ts) of three parts, in SQL.
CREATE FUNCTION growth_v8(a text, b text, c text) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
  SELECT (substr(h, 1, 12) || '8' || substr(h, 14, 3)
    || to_hex((('x' || substr(h, 17, 1))::bit(4)::int & 3) | 8) || substr(h, 18, 15))::uuid
  FROM (SELECT encode(sha256(convert_to(a, 'UTF8') || '\\x00'::bytea || convert_to(b, 'UTF8')
    || '\\x00'::bytea || convert_to(c, 'UTF8')), 'hex') AS h) AS x
$$;
-- A version 7 UUID: the clock's milliseconds, then random bits.
CREATE FUNCTION growth_v7() RETURNS uuid LANGUAGE sql VOLATILE AS $$
  SELECT (lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0') || '7'
    || substr(r, 14, 3) || substr(r, 17, 16))::uuid
  FROM (SELECT replace(gen_random_uuid()::text, '-', '') AS r) AS x
$$;
-- commandEventId (src/event-store/event-ids.ts): a time-ordered command id lends the derived id its time.
CREATE FUNCTION growth_command_event_id(c uuid, stream_id text) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN substr(c::text, 15, 1) = '7'
    THEN (substr(c::text, 1, 13) || substr(growth_v8(c::text, stream_id, '0')::text, 14))::uuid
    ELSE growth_v8(c::text, stream_id, '0') END
$$`;

/** The SQL expression for a seeded event's id, given its command id `c` and stream id `stream_id`. */
type IdSql = string;

/** Creates the raw table and the id functions; returns how ours' seeded ids are made, checked against the store. */
export async function prepareSeed(
  pool: pg.Pool,
  store: PostgresEventStore,
  kind: IdKind,
): Promise<{ idSql: IdSql; described: string }> {
  await pool.query(SCHEMA);
  // No autovacuum of the seed may land in a window: the windows measure appends alone.
  for (const table of ['events', RAW_TABLE])
    await pool.query(`ALTER TABLE ${table} SET (autovacuum_enabled = off)`);
  if (kind === 'command') {
    const command = timeOrderedUuid();
    const expected = commandEventId(command, 'account-s', 0);
    const { rows } = await pool.query<{ id: string }>(
      `SELECT growth_command_event_id($1, 'account-s') AS id`,
      [command],
    );
    if (rows[0].id !== expected)
      throw new Error(`growth_command_event_id gives ${rows[0].id}, not ${expected}`);
    return {
      idSql: `growth_command_event_id(c, stream_id)`,
      described:
        'commandEventId(commandId, streamId, 0) of time-ordered command ids, as EventSourcedRepository derives them',
    };
  }
  // Whatever the store generates today: append one event without an id and look at its version digit.
  const probe = await store.append('growth-probe', [deposited('probe', 0)]);
  const version = probe.events[0].eventId[14];
  await pool.query('TRUNCATE events RESTART IDENTITY');
  if (version === '4')
    return { idSql: 'gen_random_uuid()', described: 'random UUIDs (v4), as the store generates' };
  if (version === '7')
    return { idSql: 'growth_v7()', described: 'time-ordered UUIDs (v7), as the store generates' };
  throw new Error(
    `the store generates UUIDs of version ${version}: teach growth-seed.ts to seed them`,
  );
}

const ROWS = `
SELECT stream_id, version, c, type,
  CASE WHEN type = 'AccountOpened' THEN $4::smallint ELSE $5::smallint END AS schema_version,
  CASE WHEN type = 'AccountOpened'
    THEN jsonb_build_object('accountId', substr(stream_id, 9), 'ownerName', 'Owner ' || s, 'currency', 'EUR')
    ELSE jsonb_build_object('accountId', substr(stream_id, 9), 'amount', 100 + n % 900, 'description', 'Salary', 'source', 'transfer')
  END AS data,
  jsonb_build_object('commandId', c, 'correlationId', c, 'causationId', c, 'actor', 'bench') AS metadata
FROM (
  SELECT n, s, stream_id, head + n / $3 + 1 AS version, growth_v7() AS c,
    CASE WHEN head + n / $3 = 0 THEN 'AccountOpened' ELSE 'MoneyDeposited' END AS type
  FROM (SELECT n, n % $3 AS s FROM generate_series(0, $6::int - 1) AS n) AS g
  -- A join, not a subscript: subscripting a text array walks it from its start for every row.
  JOIN (SELECT i - 1 AS s, stream_id, head FROM unnest($1::text[], $2::int[]) WITH ORDINALITY AS t(stream_id, head, i)) AS h
    USING (s)
) AS r`;

export interface SeedTarget {
  pool: pg.Pool;
  streams: string[];
  /** Each stream's version now, the same in both tables (the windows append alike); advanced by the seed. */
  versions: number[];
  schemaVersions: { opened: number; deposited: number };
}

const CHUNK = 100_000;

/**
 * Adds `count` events to each table in chunks of 100,000 (one statement each), spread evenly over the streams, an
 * AccountOpened first in each: ours into `events` with ids from `idSql`, then the same rows copied to the raw table.
 */
export async function seed(target: SeedTarget, count: number, idSql: IdSql): Promise<void> {
  const ours = await target.pool.connect();
  const raw = await target.pool.connect();
  let copying: Promise<unknown> = Promise.resolve();
  try {
    // A bulk load, not the workload: no wait for each chunk's commit to reach the disk.
    for (const client of [ours, raw]) await client.query('SET synchronous_commit = off');
    const { streams, versions } = target;
    for (let done = 0; done < count; done += CHUNK) {
      const rows = Math.min(CHUNK, count - done);
      const { rows: inserted } = await ours.query<{ first: string }>(
        `WITH added AS (
           INSERT INTO events (stream_id, stream_version, event_id, type, schema_version, data, metadata)
           SELECT stream_id, version, ${idSql}, type, schema_version, data, metadata FROM (${ROWS}) AS x
           RETURNING global_position)
         SELECT min(global_position) AS first FROM added`,
        [
          streams,
          versions,
          streams.length,
          target.schemaVersions.opened,
          target.schemaVersions.deposited,
          rows,
        ],
      );
      await copying;
      // The raw table copies this chunk while ours writes the next one.
      copying = raw.query(
        `INSERT INTO ${RAW_TABLE} (stream_id, stream_version, type, data, metadata)
         SELECT stream_id, stream_version, type, data, metadata FROM events
         WHERE global_position >= $1 ORDER BY global_position`,
        [inserted[0].first],
      );
      for (let s = 0; s < streams.length; s++)
        versions[s] += Math.floor(rows / streams.length) + (s < rows % streams.length ? 1 : 0);
    }
    await copying;
    for (const client of [ours, raw]) await client.query('RESET synchronous_commit');
    // Since 9540157 the store keeps each stream's head in `streams`: a seed written around the store sets them.
    const { rows: heads } = await ours.query<{ kept: boolean }>(
      `SELECT to_regclass('streams') IS NOT NULL AS kept`,
    );
    if (heads[0].kept)
      await ours.query(
        `INSERT INTO streams (stream_id, version)
         SELECT * FROM unnest($1::text[], $2::int[]) AS h(stream_id, version) WHERE version > 0
         ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version`,
        [streams, versions],
      );
  } finally {
    await copying.catch(() => {});
    ours.release();
    raw.release();
  }
}
