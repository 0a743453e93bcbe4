import pg, { type CustomTypesConfig, type Pool, type PoolClient } from 'pg';
import { arrayLiteral } from './array-literal.js';

/** One stream's append, ready to send: what `append` sealed and serialised. */
export interface PendingAppend {
  readonly streamId: string;
  /** null: any version; 0: the stream must not exist; n: the stream must be at n. */
  readonly expected: number | null;
  readonly eventIds: readonly string[];
  readonly types: readonly string[];
  readonly schemaVersions: readonly number[];
  readonly data: readonly string[];
  readonly metadata: readonly string[];
  /** The caller chose the event ids (a command derives them): they may be stored already, by its earlier run. */
  readonly idsGiven: boolean;
}

export interface AppendedRow {
  stream_id: string;
  stream_version: number;
  global_position: string;
  recorded_at: Date;
  transaction_id: string;
}

/** A row of the statement: an appended event's, or (position null) a failed append's head. */
interface OutcomeRow {
  stream_id: string;
  stream_version: number | null;
  global_position: string | null;
  recorded_at: Date | null;
  transaction_id: string | null;
  stored_before: boolean;
  logged: number | null;
}

const TIMESTAMPTZ = 1184;
const parseTimestamptz = pg.types.getTypeParser(TIMESTAMPTZ, 'text') as (text: string) => Date;

/** pg's parsers, but every row of one statement shares its transaction's time (the column's default, now()): parsed once. */
function parsingTimeOnce(): CustomTypesConfig {
  let text: string | undefined;
  let time = 0;
  const parseTime = (value: string): Date => {
    if (value !== text) {
      text = value;
      time = parseTimestamptz(value).getTime();
    }
    return new Date(time);
  };
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === TIMESTAMPTZ
        ? parseTime
        : pg.types.getTypeParser(oid, format)) as CustomTypesConfig['getTypeParser'],
  };
}

/** What the statement decided for one append: its rows, or the stream's head when its expectation failed. */
export type AppendOutcome =
  | { readonly appended: AppendedRow[] }
  | {
      readonly appended?: undefined;
      /** The head after waiting for any writer holding it; undefined when there is none to lock (absent, or created concurrently). */
      readonly head: number | undefined;
      /** Its first event id is already stored: maybe a retry of an append that was. */
      readonly storedBefore: boolean;
      /**
       * The last version in the log as of the statement's start. Above the head only when rows were written around
       * the store (a test's or a migration's INSERT): the head is then repaired and the append tried again.
       */
      readonly logged: number | undefined;
    };

/**
 * Appends to several distinct streams in one statement, each with its own expected version: each append is
 * written whole or not at all, and one that fails its expectation costs no error, only a row with its stream's head.
 * The statement is the function `chronicle_append`: its body as migration 1765000002000 replaced it (1765000001900 made
 * it, and says how it decides).
 */
const APPEND_SQL = 'SELECT * FROM chronicle_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)';

type Statement = Pick<PoolClient, 'query'>;

export async function runAppends(
  db: Statement,
  appends: readonly PendingAppend[],
): Promise<AppendOutcome[]> {
  const command: number[] = [];
  const ordinal: number[] = [];
  const columns = { ids: [] as string[], types: [] as string[], schemas: [] as number[] };
  const data: string[] = [];
  const metadata: string[] = [];
  appends.forEach((append, i) => {
    append.eventIds.forEach((id, j) => {
      command.push(i + 1);
      ordinal.push(j + 1);
      columns.ids.push(id);
      columns.types.push(append.types[j]);
      columns.schemas.push(append.schemaVersions[j]);
      data.push(append.data[j]);
      metadata.push(append.metadata[j]);
    });
  });
  const { rows } = await db.query<OutcomeRow>({
    name: 'chronicle_append',
    text: APPEND_SQL,
    // Array literals built in one pass (pg runs two regular expressions over every element: the data's JSON).
    values: [
      appends.map((a) => a.streamId),
      appends.map((a) => a.expected),
      appends.map((a) => a.eventIds.length),
      appends.map((a) => a.eventIds[0]),
      command,
      ordinal,
      columns.ids,
      columns.types,
      columns.schemas,
      data,
      metadata,
    ].map((values) => arrayLiteral(values) ?? values),
    types: parsingTimeOnce(),
  });
  const byStream = new Map<string, OutcomeRow[]>();
  for (const row of rows) {
    const list = byStream.get(row.stream_id);
    if (list) list.push(row);
    else byStream.set(row.stream_id, [row]);
  }
  return appends.map(({ streamId }) => {
    const found = byStream.get(streamId) ?? [];
    if (found.length > 0 && found[0].global_position !== null)
      return {
        appended: (found as AppendedRow[]).sort((a, b) => a.stream_version - b.stream_version),
      };
    return {
      head: found[0]?.stream_version ?? undefined,
      storedBefore: found[0]?.stored_before ?? false,
      logged: found[0]?.logged ?? undefined,
    };
  });
}

/** The statement's own refusals (a unique violation, a deadlock) leave the connection fit for reuse. */
function connectionIsFine(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^(22|23|40)/.test(code);
}

/**
 * Runs `work` on a connection of its own: a refusal from the statement gives it back to the pool instead of
 * destroying it, as `pool.query` would (pg-pool discards a client on any query error).
 */
export async function onConnection<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    const result = await work(client);
    client.release();
    return result;
  } catch (error) {
    client.release(connectionIsFine(error) ? undefined : (error as Error));
    throw error;
  }
}
