/**
 * The baseline: the same work with bare `pg` and hand-written SQL, on a table with the columns, defaults and
 * constraints of `events` (src/event-store/migrations). It has no (transaction_id, global_position) index: that
 * index exists only for our late-commit-safe read, so its cost on every insert is ours to carry.
 */
export const BASELINE_SCHEMA = `
CREATE TABLE bench_baseline_events (
  global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  stream_id text NOT NULL,
  stream_version int NOT NULL CHECK (stream_version > 0),
  event_id uuid NOT NULL,
  type text NOT NULL,
  schema_version smallint NOT NULL DEFAULT 1,
  data jsonb NOT NULL,
  metadata jsonb NOT NULL DEFAULT '{}',
  recorded_at timestamptz NOT NULL DEFAULT now(),
  transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
  CONSTRAINT bench_baseline_events_event_id_key UNIQUE (event_id),
  CONSTRAINT bench_baseline_events_stream_key UNIQUE (stream_id, stream_version)
);
CREATE TABLE bench_plain_events (
  position bigserial PRIMARY KEY,
  stream_id text NOT NULL,
  version int NOT NULL,
  type text NOT NULL,
  data jsonb NOT NULL,
  UNIQUE (stream_id, version)
)`;

export const BASELINE_TABLE = 'bench_baseline_events';

/**
 * The second raw baseline: the minimal events table any store needs (a global position, the stream's version, the
 * type and the data, one unique key for the concurrency check), so the cost of the columns, defaults and indexes
 * of `events` is visible beside the cost of our code.
 */
export const PLAIN_TABLE = 'bench_plain_events';

export const PLAIN_INSERT_ONE = `
INSERT INTO bench_plain_events (stream_id, version, type, data) VALUES ($1, $2, $3, $4) RETURNING position`;

export const PLAIN_INSERT_MANY = `
INSERT INTO bench_plain_events (stream_id, version, type, data)
SELECT $1, u.version, u.type, u.data::jsonb FROM unnest($2::int[], $3::text[], $4::text[]) AS u(version, type, data)
RETURNING position`;

export const UNIQUE_VIOLATION = '23505';

/** One event at a version the writer knows: a duplicate version is the unique violation. */
export const INSERT_ONE = `
INSERT INTO bench_baseline_events (stream_id, stream_version, event_id, type, schema_version, data, metadata)
VALUES ($1, $2, $3, $4, 1, $5, $6)
RETURNING global_position`;

/** Many events of one stream in one statement, versions given by the writer. */
export const INSERT_MANY = `
INSERT INTO bench_baseline_events (stream_id, stream_version, event_id, type, schema_version, data, metadata)
SELECT $1, u.version, u.event_id, u.type, 1, u.data::jsonb, u.metadata::jsonb
FROM unnest($2::int[], $3::uuid[], $4::text[], $5::text[], $6::text[]) AS u(version, event_id, type, data, metadata)
RETURNING global_position`;

/**
 * The hot stream's append with an expected version ($2), answered by the statement itself: the row is written only
 * when the head is $2, a writer that loses the race at the unique key gets no row instead of an error
 * (ON CONFLICT DO NOTHING), and `head` is the head it must retry from (the head it saw, or $2 + 1 when it lost at
 * the key). No error means pg-pool keeps the connection, and a lost race costs this one statement.
 */
export const INSERT_EXPECTED = `
WITH head AS (
  SELECT coalesce(max(stream_version), 0) AS version FROM bench_baseline_events WHERE stream_id = $1
), appended AS (
  INSERT INTO bench_baseline_events (stream_id, stream_version, event_id, type, schema_version, data, metadata)
  SELECT $1, head.version + 1, $3, $4, 1, $5, $6 FROM head WHERE head.version = $2
  ON CONFLICT (stream_id, stream_version) DO NOTHING
  RETURNING stream_version
)
SELECT (SELECT stream_version FROM appended) AS appended,
  (SELECT CASE WHEN version = $2 THEN version + 1 ELSE version END FROM head) AS head`;

export const STREAM_HEAD = `SELECT coalesce(max(stream_version), 0) AS version FROM bench_baseline_events WHERE stream_id = $1`;

/** The next version computed in the insert itself: what a bare HTTP route would write. */
export const INSERT_NEXT = `
INSERT INTO bench_baseline_events (stream_id, stream_version, event_id, type, schema_version, data, metadata)
SELECT $1, coalesce(max(stream_version), 0) + 1, $2, $3, 1, $4, $5
FROM bench_baseline_events WHERE stream_id = $1
RETURNING global_position, stream_version`;

export const READ_STREAM = `
SELECT stream_version, type, data FROM bench_baseline_events WHERE stream_id = $1 ORDER BY stream_version`;

/** The naive keyset read of the log: fast, and it can skip an event committed late (which readAll cannot). */
export const READ_LOG_PAGE = `
SELECT global_position, stream_id, stream_version, event_id, type, schema_version, data, metadata, recorded_at
FROM bench_baseline_events WHERE global_position > $1 ORDER BY global_position LIMIT $2`;

/** The same statement as GetAccountHandler's: the sealed name with its key row. */
export const GET_ACCOUNT = `
SELECT b.id, b.owner_name, b.currency, b.balance, b.version, b.opened_at, b.updated_at,
  k.subject_id IS NOT NULL AS key_found, k.wrapped_key
FROM account_balances b LEFT JOIN personal_data_keys k ON k.subject_id = b.id::text WHERE b.id = $1`;
