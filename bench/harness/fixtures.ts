import type pg from 'pg';
import { ACCOUNT_EVENT_DEFINITIONS } from '../../src/accounts/domain/account.events.js';
import { developmentMasterKey } from '../../src/config/config.js';
import {
  deterministicUuid,
  type EventMetadata,
  EventTypeRegistry,
  type NewEvent,
  PostgresEventStore,
  timeOrderedUuid,
} from '../../src/event-store/index.js';
import { BASELINE_TABLE } from '../baseline/baseline-sql.js';

/**
 * The app's master key in production mode: the development key, so keys created by accountStore and by the app on
 * one bench database unwrap alike.
 */
export const BENCH_MASTER_KEY = developmentMasterKey().export().toString('base64');

export function accountStore(pool: pg.Pool): PostgresEventStore {
  const registry = new EventTypeRegistry();
  registry.register(...ACCOUNT_EVENT_DEFINITIONS);
  // AccountOpened carries personal data: the store encrypts it, as the app does.
  return new PostgresEventStore(pool, registry, { masterKey: developmentMasterKey() });
}

/** The same account ids in every run and on both sides, so streams and index sizes match. */
export function accountIds(count: number, salt = 'account'): string[] {
  return Array.from({ length: count }, (_, i) => deterministicUuid('bench', salt, i));
}

export const streamOf = (accountId: string) => `account-${accountId}`;

/** What the HTTP layer records with every command. */
/** A command's metadata as a request gets it: a time-ordered command id (request-context, idempotency claims). */
export function commandMetadata(): EventMetadata {
  const commandId = timeOrderedUuid();
  return { commandId, correlationId: commandId, causationId: commandId, actor: 'bench' };
}

export function deposited(
  accountId: string,
  n: number,
  metadata: EventMetadata = commandMetadata(),
): NewEvent {
  return {
    type: 'MoneyDeposited',
    data: { accountId, amount: 100 + (n % 900), description: 'Salary', source: 'transfer' },
    metadata,
  };
}

export function opened(accountId: string): NewEvent {
  return {
    type: 'AccountOpened',
    data: { accountId, ownerName: 'Bench Owner', currency: 'EUR' },
    metadata: commandMetadata(),
  };
}

/** Opens each account in its own stream, 50 appends in flight at a time. */
export async function openAccounts(
  store: Pick<PostgresEventStore, 'append'>,
  ids: readonly string[],
): Promise<void> {
  for (let i = 0; i < ids.length; i += 50)
    await Promise.all(
      ids
        .slice(i, i + 50)
        .map((id) => store.append(streamOf(id), [opened(id)], { expectedVersion: 'no-stream' })),
    );
}

/**
 * Event g of a synthetic log lives in stream g % streams at version g / streams + 1: an AccountOpened first, then
 * deposits. `per_tx` events per transaction, each committed, so the log has many transaction ids like a real one.
 */
const LOAD_LOG = `
CREATE OR REPLACE PROCEDURE bench_load_log(first bigint, last bigint, streams int, per_tx int) LANGUAGE plpgsql AS $$
DECLARE b bigint := first;
BEGIN
  WHILE b <= last LOOP
    INSERT INTO events (stream_id, stream_version, event_id, type, schema_version, data, metadata)
    SELECT 'account-' || md5('log-' || (g % streams))::uuid, g / streams + 1, gen_random_uuid(),
      CASE WHEN g < streams THEN 'AccountOpened' ELSE 'MoneyDeposited' END, CASE WHEN g < streams THEN 1 ELSE 2 END,
      CASE WHEN g < streams
        THEN jsonb_build_object('accountId', md5('log-' || (g % streams))::uuid, 'ownerName', 'Owner ' || (g % streams), 'currency', 'EUR')
        ELSE jsonb_build_object('accountId', md5('log-' || (g % streams))::uuid, 'amount', 100 + g % 900, 'description', 'Salary', 'source', 'transfer')
      END,
      jsonb_build_object('commandId', c, 'correlationId', c, 'causationId', c, 'actor', 'bench')
    FROM (SELECT g, gen_random_uuid() AS c FROM generate_series(b, least(b + per_tx - 1, last)) AS g) AS s;
    COMMIT;
    b := b + per_tx;
  END LOOP;
END $$`;

/** Grows the synthetic log in `events` to `total` events (10 per transaction) and copies it to the baseline's table. */
export async function growLog(
  pool: pg.Pool,
  from: number,
  total: number,
  streams: number,
): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query(`SET synchronous_commit = off`);
    await client.query(LOAD_LOG);
    await client.query('CALL bench_load_log($1, $2, $3, 10)', [from, total - 1, streams]);
    await client.query(`
      INSERT INTO ${BASELINE_TABLE} OVERRIDING SYSTEM VALUE
      SELECT global_position, stream_id, stream_version, event_id, type, schema_version, data, metadata, recorded_at,
        transaction_id
      FROM events WHERE global_position > (SELECT coalesce(max(global_position), 0) FROM ${BASELINE_TABLE})`);
    await client.query(
      `SELECT setval(pg_get_serial_sequence('${BASELINE_TABLE}', 'global_position'), (SELECT max(global_position) FROM ${BASELINE_TABLE}))`,
    );
    await client.query('RESET synchronous_commit');
  } finally {
    client.release();
  }
}

/** One stream of `length` events (an AccountOpened, then deposits) in `events` and in the baseline's table. */
export async function loadStream(pool: pg.Pool, accountId: string, length: number): Promise<void> {
  await pool.query(
    `INSERT INTO events (stream_id, stream_version, event_id, type, schema_version, data, metadata)
     SELECT $1, v, gen_random_uuid(), CASE WHEN v = 1 THEN 'AccountOpened' ELSE 'MoneyDeposited' END, CASE WHEN v = 1 THEN 1 ELSE 2 END,
       CASE WHEN v = 1 THEN jsonb_build_object('accountId', $2::text, 'ownerName', 'Bench Owner', 'currency', 'EUR')
         ELSE jsonb_build_object('accountId', $2::text, 'amount', 100 + v % 900, 'description', 'Salary', 'source', 'transfer') END,
       jsonb_build_object('commandId', c, 'correlationId', c, 'causationId', c, 'actor', 'bench')
     FROM (SELECT v, gen_random_uuid() AS c FROM generate_series(1, $3::int) AS v) AS s`,
    [streamOf(accountId), accountId, length],
  );
  await pool.query(
    `INSERT INTO ${BASELINE_TABLE} (stream_id, stream_version, event_id, type, schema_version, data, metadata)
     SELECT stream_id, stream_version, event_id, type, schema_version, data, metadata FROM events
     WHERE stream_id = $1 ORDER BY stream_version`,
    [streamOf(accountId)],
  );
}
