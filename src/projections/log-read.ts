import type { Pool } from 'pg';
import type {
  Checkpoint,
  EventMetadata,
  ReadAllOptions,
} from '../event-store/event-store.types.js';
import { START } from '../event-store/event-store.types.js';
import { PersistedEvent } from '../event-store/persisted-event.js';

/** What a worker reads the log with: `PostgresEventStore.readAll`'s contract, for the whole log. */
export interface LogRead {
  readAll(options: Pick<ReadAllOptions, 'after' | 'limit' | 'metadata'>): Promise<PersistedEvent[]>;
}

/** Values as PostgreSQL sends them as text, but jsonb parsed: no pg-types Date or integer parsing per row. */
const RAW_BUT_JSON = {
  getTypeParser: (oid: number) => (oid === JSONB ? JSON.parse : asText),
} as const;
const JSONB = 3802;
const asText = (value: string) => value;
/** The metadata of every event read without it: one object, not one per event (the catch-up's garbage). */
const NO_METADATA: EventMetadata = Object.freeze({});

// readAll's statement (postgres-event-store.ts: the commit-safe order and read horizon), the time as exact epoch
// milliseconds (numeric: a float8 of seconds can round .123 down to .122999) and rows as arrays: one object
// per event, no date text parsed.
function sql(metadata: boolean): string {
  return `SELECT global_position, stream_id, stream_version, event_id, type, schema_version, data,
    ${metadata ? 'metadata' : 'NULL'}, extract(epoch FROM recorded_at) * 1000, transaction_id::text
  FROM events
  WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
    AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
  ORDER BY events.transaction_id, events.global_position
  LIMIT $3`;
}
const WITH_METADATA = { name: 'chronicle_projection_log', text: sql(true) };
const WITHOUT_METADATA = { name: 'chronicle_projection_log_without_metadata', text: sql(false) };

type Row = [
  position: string,
  streamId: string,
  streamVersion: string,
  eventId: string,
  type: string,
  schemaVersion: string,
  data: Record<string, unknown>,
  metadata: Record<string, unknown> | null,
  recordedAtMs: string,
  transactionId: string,
];

/**
 * The log as projection workers read it: the events `readAll` returns, built with less per-row work, which a
 * catch-up of the whole log pays a million times (bench row "projection catch-up from zero").
 */
export function projectionLog(pool: Pick<Pool, 'query'>): LogRead {
  return {
    async readAll({ after = START, limit = 1000, metadata = true }) {
      const { rows } = await pool.query<Row>({
        ...(metadata ? WITH_METADATA : WITHOUT_METADATA),
        values: [after.transactionId, after.position, limit],
        rowMode: 'array',
        types: RAW_BUT_JSON,
      });
      return rows.map(toEvent);
    },
  };
}

function toEvent(row: Row): PersistedEvent {
  return new PersistedEvent({
    eventId: row[3],
    streamId: row[1],
    streamVersion: Number(row[2]),
    globalPosition: Number(row[0]),
    transactionId: row[9],
    type: row[4],
    schemaVersion: Number(row[5]),
    data: row[6],
    metadata: row[7] ?? NO_METADATA,
    recordedAt: new Date(Number(row[8])),
  });
}

interface SharedRead {
  after: Checkpoint;
  limit: number;
  metadata: boolean;
  waiting: Array<{ resolve: (events: PersistedEvent[]) => void; reject: (error: unknown) => void }>;
}

/**
 * Reads asked for in one turn of the event loop from one checkpoint, for one count, share one statement and its
 * events (never mutated). It goes out after the turn, so no caller gets a snapshot older than its call. See
 * docs/architecture.md#projections.
 */
export function sharedReads(log: LogRead): LogRead {
  let turn: Map<string, SharedRead> | undefined;
  const send = (reads: Map<string, SharedRead>) => {
    for (const { after, limit, metadata, waiting } of reads.values()) {
      log.readAll({ after, limit, metadata }).then(
        (events) => waiting.forEach(({ resolve }, i) => resolve(i === 0 ? events : events.slice())),
        (error: unknown) => waiting.forEach(({ reject }) => reject(error)),
      );
    }
  };
  return {
    readAll({ after = START, limit = 1000, metadata = true }) {
      if (!turn) {
        const reads = (turn = new Map());
        setImmediate(() => {
          turn = undefined;
          send(reads);
        });
      }
      const key = `${after.transactionId} ${after.position} ${limit}`;
      let read = turn.get(key);
      if (!read) turn.set(key, (read = { after, limit, metadata, waiting: [] }));
      // Events with metadata serve a worker that reads without it as well.
      read.metadata ||= metadata;
      const waiting = read.waiting;
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
  };
}
