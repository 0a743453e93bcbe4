import type pg from 'pg';
import type { LedgerMessage } from './contract.js';

/** A pool or a client: the ledger's writes are single statements. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
}

// Redelivery does not keep the stream's order (a message waits out its ack wait while later ones go on), so every
// effect commutes: a deposit may arrive before its account's opening, which then only sets the currency.
const SCHEMA = `
  CREATE SCHEMA IF NOT EXISTS ledger;
  CREATE TABLE IF NOT EXISTS ledger.accounts (
    account_id uuid PRIMARY KEY,
    currency char(3),
    balance bigint NOT NULL DEFAULT 0
  );
  CREATE TABLE IF NOT EXISTS ledger.entries (
    message_id uuid PRIMARY KEY,
    account_id uuid NOT NULL,
    amount bigint NOT NULL,
    position bigint NOT NULL,
    recorded_at timestamptz NOT NULL
  );
  CREATE INDEX IF NOT EXISTS entries_by_account ON ledger.entries (account_id, position);
  CREATE TABLE IF NOT EXISTS ledger.processed_messages (
    message_id uuid PRIMARY KEY,
    processed_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE IF NOT EXISTS ledger.dead_letters (
    stream text NOT NULL,
    stream_sequence bigint NOT NULL,
    subject text NOT NULL,
    headers jsonb NOT NULL,
    payload bytea NOT NULL,
    reason text NOT NULL,
    deliveries integer NOT NULL,
    dead_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (stream, stream_sequence)
  );
`;

/** Creates the schema if it is missing; instances starting together wait for each other on the lock. */
export async function createSchema(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      "SELECT pg_advisory_xact_lock(hashtext('chronicle-ledger-consumer-schema'))",
    );
    await client.query(SCHEMA);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

// One statement, so one transaction: the message is recorded as processed together with its effect, or not at all.
// A message already recorded inserts nothing in `processed`, so every effect below selects no row.
const PROCESSED = `
  processed AS (
    INSERT INTO ledger.processed_messages (message_id) VALUES ($1)
    ON CONFLICT (message_id) DO NOTHING RETURNING message_id
  )`;

const MOVE_MONEY = `WITH ${PROCESSED},
  entry AS (
    INSERT INTO ledger.entries (message_id, account_id, amount, position, recorded_at)
    SELECT message_id, $2, $3, $4, $5 FROM processed
  ),
  account AS (
    INSERT INTO ledger.accounts (account_id, balance) SELECT $2, $3 FROM processed
    ON CONFLICT (account_id) DO UPDATE SET balance = ledger.accounts.balance + EXCLUDED.balance
  )
  SELECT count(*)::int AS applied FROM processed`;

const OPEN_ACCOUNT = `WITH ${PROCESSED},
  account AS (
    INSERT INTO ledger.accounts (account_id, currency) SELECT $2, $3 FROM processed
    ON CONFLICT (account_id) DO UPDATE SET currency = EXCLUDED.currency
  )
  SELECT count(*)::int AS applied FROM processed`;

const RECORD_ONLY = `WITH ${PROCESSED} SELECT count(*)::int AS applied FROM processed`;

/** Applies the message's effect once: `duplicate` when its id was processed before (a redelivery, a replay). */
export async function apply(
  db: Queryable,
  { messageId, position, recordedAt, event }: LedgerMessage,
): Promise<'applied' | 'duplicate'> {
  let result: pg.QueryResult<{ applied: number }>;
  switch (event.type) {
    case 'AccountOpened':
      result = await db.query(OPEN_ACCOUNT, [messageId, event.accountId, event.currency]);
      break;
    case 'MoneyDeposited':
    case 'MoneyWithdrawn': {
      const signed = event.type === 'MoneyDeposited' ? event.amount : -event.amount;
      result = await db.query(MOVE_MONEY, [
        messageId,
        event.accountId,
        signed,
        position,
        recordedAt,
      ]);
      break;
    }
    // A refusal moves no money; the ledger holds no personal data for an erasure to remove.
    case 'WithdrawalRejected':
    case 'PersonalDataErased':
      result = await db.query(RECORD_ONLY, [messageId]);
      break;
    default: {
      const unhandled: never = event;
      throw new Error(`unhandled event ${JSON.stringify(unhandled)}`);
    }
  }
  return result.rows[0].applied === 1 ? 'applied' : 'duplicate';
}

export interface DeadLetter {
  stream: string;
  streamSequence: number;
  subject: string;
  headers: Record<string, string[]>;
  payload: Uint8Array;
  reason: string;
  deliveries: number;
}

/** PostgreSQL text and jsonb hold no NUL nor lone surrogate: a header carrying one is kept with U+FFFD instead. */
const storable = (text: string) =>
  text
    .replaceAll('\0', '\uFFFD')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\uFFFD');

/** Keeps a message given up on, once (a dead letter written twice, by a redelivery or an advisory, is one row). */
export async function deadLetter(db: Queryable, letter: DeadLetter): Promise<void> {
  const headers = Object.fromEntries(
    Object.entries(letter.headers).map(([k, v]) => [storable(k), v.map(storable)]),
  );
  await db.query(
    `INSERT INTO ledger.dead_letters (stream, stream_sequence, subject, headers, payload, reason, deliveries)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (stream, stream_sequence) DO NOTHING`,
    [
      letter.stream,
      letter.streamSequence,
      storable(letter.subject),
      JSON.stringify(headers),
      Buffer.from(letter.payload),
      storable(letter.reason),
      letter.deliveries,
    ],
  );
}

/** True when the message with this id has been applied. */
export async function processed(db: Queryable, messageId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    'SELECT 1 FROM ledger.processed_messages WHERE message_id = $1',
    [messageId],
  );
  return rowCount === 1;
}
