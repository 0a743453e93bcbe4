import type { KeyObject } from 'node:crypto';
import { timeOrderedUuid } from './event-ids.js';
import type { Pool, PoolClient } from 'pg';
import { ConcurrencyError, EventIdConflictError } from './event-store.errors.js';
import type {
  AppendOptions,
  Checkpoint,
  EventMetadata,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
} from './event-store.types.js';
import { START } from './event-store.types.js';
import { EventTypeRegistry } from './event-type-registry.js';
import { AppendResult, PersistedEvent } from './persisted-event.js';
import { MasterKeys } from './master-keys.js';
import { KeyRing } from './personal-data-keys.js';
import { PersonalDataVault, type OpenedState } from './personal-data-vault.js';
import { type AppendOutcome, type PendingAppend, runAppends } from './append-statement.js';
import { GroupCommit, type GroupCommitOptions } from './group-commit.js';

const NO_METADATA = {};

/** A command's events share one metadata object: serialised once. */
function serialisedOnce(values: readonly object[]): string[] {
  const texts: string[] = [];
  values.forEach((value, i) =>
    texts.push(i > 0 && value === values[i - 1] ? texts[i - 1] : JSON.stringify(value)),
  );
  return texts;
}

/** ...and read back as stored once: one object for the events that share it. */
function parsedOnce(texts: readonly string[]): EventMetadata[] {
  const values: EventMetadata[] = [];
  texts.forEach((text, i) =>
    values.push(
      i > 0 && text === texts[i - 1] ? values[i - 1] : (JSON.parse(text) as EventMetadata),
    ),
  );
  return values;
}

/** stream_version is an int column. */
const MAX_STREAM_VERSION = 2_147_483_647;

export type Queryable = Pick<Pool, 'query'> | Pick<PoolClient, 'query'>;

const UNIQUE_VIOLATION = '23505';
const STREAM_VERSION_CONSTRAINT = 'events_stream_id_stream_version_key';
const EVENT_ID_CONSTRAINT = 'events_event_id_key';
const MAX_ANY_RETRIES = 10;
const COLUMNS = `global_position, stream_id, stream_version, event_id, type, schema_version, data,
  metadata, recorded_at, transaction_id::text AS transaction_id`;

/** `readAll` for readers that never look at metadata: less to transfer and parse. */
const COLUMNS_WITHOUT_METADATA = COLUMNS.replace('metadata', `'{}'::jsonb AS metadata`);

export interface EventRow {
  global_position: string;
  stream_id: string;
  stream_version: number;
  event_id: string;
  type: string;
  schema_version: number;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  recorded_at: Date;
  transaction_id: string;
}

/** A stream's last event, as streamHeads reads it. */
export interface StreamHead {
  version: number;
  type: string;
  position: number;
  recordedAt: Date;
}

export interface EventToFold {
  streamVersion: number;
  type: string;
  schemaVersion: number;
  data: Record<string, unknown>;
  /** Set once decrypted when `data` holds this subject's personal data in clear. */
  personalSubject?: string;
}

export interface EventStoreOptions {
  /** Wraps the per-subject keys of personal data (CHRONICLE_MASTER_KEY); without it, none can be stored or read. */
  readonly masterKey?: KeyObject;
  /** Only unwrap the keys a rotation has not re-wrapped yet (CHRONICLE_PREVIOUS_MASTER_KEYS). */
  readonly previousMasterKeys?: readonly KeyObject[];
  /** How concurrent appends on a pool share statements (ignored on a transaction's connection). */
  readonly groupCommit?: GroupCommitOptions;
}

/** A pool shares statements between callers; a checked-out client (a transaction's) does not. */
function isPool(db: Queryable): db is Pool {
  return 'totalCount' in db && typeof (db as Pool).connect === 'function';
}

export function toPersistedEvent(row: EventRow): PersistedEvent {
  return new PersistedEvent({
    eventId: row.event_id,
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    globalPosition: Number(row.global_position),
    transactionId: row.transaction_id,
    type: row.type,
    schemaVersion: row.schema_version,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at,
  });
}

/** The event store on PostgreSQL: one append-only `events` table, atomic appends, gap-free global reads. */
export class PostgresEventStore {
  /** Encrypts declared personal data on append; every read here but readAll decrypts it. */
  readonly personalData: PersonalDataVault;
  /** On a pool, appends go through group commit; on a transaction's connection, one by one in it. */
  private readonly send: (append: PendingAppend) => Promise<AppendOutcome>;

  constructor(
    private readonly db: Queryable,
    readonly registry: EventTypeRegistry,
    options: EventStoreOptions = {},
  ) {
    const { masterKey, previousMasterKeys } = options;
    if (isPool(db)) {
      const group = new GroupCommit(db, options.groupCommit);
      this.send = (append) => group.append(append);
    } else this.send = async (append) => (await runAppends(db, [append]))[0];
    this.personalData = new PersonalDataVault(
      db,
      registry,
      masterKey && new MasterKeys(masterKey, previousMasterKeys),
    );
  }

  /**
   * Appends all events or none. Re-appending the same event ids returns the first result and writes nothing. A
   * conflict costs this one statement: it answers with the stream's head, without an error.
   */
  async append(
    streamId: string,
    events: readonly NewEvent[],
    { expectedVersion = 'any' }: AppendOptions = {},
  ): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event');
    const ids = events.map((e) => e.eventId ?? timeOrderedUuid());
    const schemaVersions = events.map((e) => this.registry.definitionOf(e.type).schemaVersion);
    const { data, ring } = await this.personalData.seal(streamId, events);
    const pending: PendingAppend = {
      streamId,
      expected:
        expectedVersion === 'any' ? null : expectedVersion === 'no-stream' ? 0 : expectedVersion,
      eventIds: ids,
      types: events.map((e) => e.type),
      schemaVersions,
      data: data.map((d) => JSON.stringify(d)),
      metadata: serialisedOnce(events.map((e) => e.metadata ?? NO_METADATA)),
      idsGiven: events.some((e) => e.eventId !== undefined),
    };
    for (let attempt = 1; ; attempt++) {
      let outcome: AppendOutcome;
      try {
        outcome = await this.send(pending);
      } catch (error) {
        if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
        const constraint = (error as { constraint?: string }).constraint;
        if (constraint === EVENT_ID_CONSTRAINT) {
          const duplicate = await this.findDuplicate(streamId, ids);
          if (duplicate) return duplicate;
          throw new EventIdConflictError(streamId, ids);
        }
        // The head lags the log only where rows were inserted around the store (a migration's backfill).
        if (constraint !== STREAM_VERSION_CONSTRAINT || attempt >= MAX_ANY_RETRIES) throw error;
        await this.repairHead(streamId);
        continue;
      }
      if (outcome.appended) {
        // Only what the database decided comes back; data and metadata are what was sent, read back as stored.
        const metadata = parsedOnce(pending.metadata);
        const stored = outcome.appended.map(
          (row, i) =>
            new PersistedEvent({
              eventId: ids[i],
              streamId,
              streamVersion: row.stream_version,
              globalPosition: Number(row.global_position),
              transactionId: row.transaction_id,
              type: pending.types[i],
              schemaVersion: schemaVersions[i],
              data: JSON.parse(pending.data[i]),
              metadata: metadata[i],
              recordedAt: row.recorded_at,
            }),
        );
        return this.result(streamId, await this.decryptPersonalData(stored, ring), false);
      }
      if (outcome.storedBefore) {
        const duplicate = await this.findDuplicate(streamId, ids);
        if (duplicate) return duplicate;
      }
      if (
        outcome.logged !== undefined &&
        outcome.logged > (outcome.head ?? 0) &&
        attempt < MAX_ANY_RETRIES
      ) {
        await this.repairHead(streamId);
        continue;
      }
      if (expectedVersion === 'any' && attempt < MAX_ANY_RETRIES) continue;
      throw new ConcurrencyError(
        streamId,
        expectedVersion,
        outcome.head ?? (await this.streamVersion(streamId)),
      );
    }
  }

  /** Brings a stream's head up to its last stored event. */
  private async repairHead(streamId: string): Promise<void> {
    await this.db.query(
      `INSERT INTO streams (stream_id, version)
       SELECT $1, max(stream_version) FROM events WHERE stream_id = $1 HAVING count(*) > 0
       ON CONFLICT (stream_id) DO UPDATE SET version = greatest(streams.version, excluded.version)`,
      [streamId],
    );
  }

  async streamVersion(streamId: string): Promise<number> {
    const { rows } = await this.db.query<{ version: number }>({
      name: 'chronicle_stream_version',
      text: 'SELECT coalesce(max(stream_version), 0) AS version FROM events WHERE stream_id = $1',
      values: [streamId],
    });
    return rows[0].version;
  }

  /** Each stream's last event (its version, type, position and time); a stream with no event is left out. */
  async streamHeads(streamIds: readonly string[]): Promise<Map<string, StreamHead>> {
    const { rows } = await this.db.query<{
      stream_id: string;
      stream_version: number;
      type: string;
      global_position: string;
      recorded_at: Date;
    }>({
      name: 'chronicle_stream_heads',
      text: `SELECT h.stream_id, h.stream_version, h.type, h.global_position, h.recorded_at
        FROM unnest($1::text[]) AS s(id)
        CROSS JOIN LATERAL (
          SELECT stream_id, stream_version, type, global_position, recorded_at FROM events
          WHERE stream_id = s.id ORDER BY stream_version DESC LIMIT 1) h`,
      values: [streamIds],
    });
    return new Map(
      rows.map((row) => [
        row.stream_id,
        {
          version: row.stream_version,
          type: row.type,
          position: Number(row.global_position),
          recordedAt: row.recorded_at,
        },
      ]),
    );
  }

  /** What an aggregate needs to fold its stream, and nothing more: the hot path of every command. */
  async readStreamForFold(streamId: string, fromVersion = 1): Promise<EventToFold[]> {
    // The rows are EventToFold objects as they come: no second object per event.
    const { rows } = await this.db.query<EventToFold>({
      name: 'chronicle_read_fold',
      text: `SELECT stream_version AS "streamVersion", type, schema_version AS "schemaVersion", data
             FROM events WHERE stream_id = $1 AND stream_version >= $2 ORDER BY stream_version`,
      values: [streamId, fromVersion],
    });
    return (await this.decryptForFold(streamId, rows)).events;
  }

  /**
   * Decrypts what an aggregate folds, and the snapshot it starts from, with one key lookup. A snapshot that cannot
   * be opened is reported, not thrown: it is only a cache.
   */
  async decryptForFold(
    streamId: string,
    events: readonly EventToFold[],
    snapshotState?: Record<string, unknown>,
  ): Promise<{ events: EventToFold[]; snapshot?: OpenedState }> {
    const ring = new KeyRing();
    const stateSubjects = snapshotState ? this.personalData.stateSubjects(snapshotState) : [];
    const decrypted = await this.personalData.decryptPersonalData(
      events.map(({ type, data }) => ({ streamId, type, data })),
      ring,
      stateSubjects,
    );
    return {
      events: events.map((event, i) => {
        const { data, subject } = decrypted[i];
        if (data === event.data && subject === undefined) return event;
        return { ...event, data, ...(subject === undefined ? {} : { personalSubject: subject }) };
      }),
      snapshot: snapshotState && this.personalData.openState(streamId, snapshotState, ring),
    };
  }

  /**
   * Stored events with their personal data decrypted (or erased), one key lookup for the batch: for readers of
   * readAll, which returns events as stored.
   */
  async decryptPersonalData(
    events: readonly (PersistedEvent | EventRow)[],
    ring?: KeyRing,
  ): Promise<PersistedEvent[]> {
    const stored = events.map((e) => (e instanceof PersistedEvent ? e : toPersistedEvent(e)));
    const decrypted = await this.personalData.decryptPersonalData(stored, ring);
    return stored.map((event, i) => {
      const { data } = decrypted[i];
      if (data === event.data) return event;
      return new PersistedEvent({ ...event, data });
    });
  }

  /**
   * Destroys the subjects' personal-data keys (their data reads as erased everywhere from now on) and deletes the
   * snapshots of `streamIds`. Idempotent.
   */
  erasePersonalData(subjects: readonly string[], streamIds: readonly string[] = []): Promise<void> {
    return this.personalData.erase(subjects, streamIds);
  }

  /** `until` compares at a Date's precision (ms): an event's own `recordedAt` includes it. */
  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<PersistedEvent[]> {
    const { fromVersion, toVersion, until, direction = 'forward', limit } = options;
    // The version range is always a real range, never `$2 IS NULL OR ...`: a prepared statement's generic plan
    // (from its sixth run on) could then only use stream_id and would filter the whole stream.
    const { rows } = await this.db.query<EventRow>({
      name: `chronicle_read_stream_${direction}`,
      text: `SELECT ${COLUMNS} FROM events
       WHERE stream_id = $1 AND stream_version >= $2 AND stream_version <= $3
         AND ($4::timestamptz IS NULL OR date_trunc('milliseconds', recorded_at) <= $4)
       ORDER BY stream_version ${direction === 'backward' ? 'DESC' : 'ASC'}
       LIMIT $5`,
      values: [
        streamId,
        fromVersion ?? 0,
        toVersion ?? MAX_STREAM_VERSION,
        until ?? null,
        limit ?? null,
      ],
    });
    return this.decryptPersonalData(rows);
  }

  /**
   * Reads the global log in commit-safe order: see docs/architecture.md#reading-the-global-log-without-skipping.
   * Events come as stored: readers decryptAndUpcast what they use, so one unreadable event stays one event's problem.
   */
  async readAll({
    after = START,
    limit = 1000,
    metadata = true,
    streamId,
  }: ReadAllOptions = {}): Promise<PersistedEvent[]> {
    const ofStream = streamId === undefined ? '' : 'AND stream_id = $4';
    const { rows } = await this.db.query<EventRow>({
      name: `chronicle_read_all${metadata ? '' : '_without_metadata'}${ofStream && '_of_stream'}`,
      text: `SELECT ${metadata ? COLUMNS : COLUMNS_WITHOUT_METADATA} FROM events
       WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
         AND transaction_id < pg_snapshot_xmin(pg_current_snapshot()) ${ofStream}
       ORDER BY events.transaction_id, events.global_position -- the xid8 column, not COLUMNS' text alias
       LIMIT $3`,
      values: [after.transactionId, after.position, limit, ...(ofStream ? [streamId] : [])],
    });
    return rows.map(toPersistedEvent);
  }

  /**
   * What a command appended to a stream, as a duplicate: the events from `firstEventId` (the id its first event was
   * given) on that carry its commandId. Found through the event-id index, whatever the stream's length.
   */
  async findAppendByCommand(
    streamId: string,
    commandId: string,
    firstEventId: string,
  ): Promise<AppendResult | undefined> {
    const { rows } = await this.db.query<EventRow>(
      `SELECT ${COLUMNS} FROM events
       WHERE stream_id = $1 AND metadata->>'commandId' = $2
         AND stream_version >= (SELECT stream_version FROM events WHERE event_id = $3 AND stream_id = $1)
       ORDER BY stream_version`,
      [streamId, commandId, firstEventId],
    );
    return rows.length
      ? this.result(streamId, await this.decryptPersonalData(rows), true)
      : undefined;
  }

  /** The checkpoint of the event at a global position, or undefined when there is none. */
  async checkpointOf(position: number): Promise<Checkpoint | undefined> {
    const { rows } = await this.db.query<{ transaction_id: string }>(
      'SELECT transaction_id::text AS transaction_id FROM events WHERE global_position = $1',
      [position],
    );
    return rows[0] ? { transactionId: rows[0].transaction_id, position } : undefined;
  }

  /** The id of the event stored at that checkpoint, or undefined when there is none (one primary-key lookup). */
  async eventIdAt({ transactionId, position }: Checkpoint): Promise<string | undefined> {
    const { rows } = await this.db.query<{ event_id: string }>(
      'SELECT event_id FROM events WHERE global_position = $1 AND transaction_id = $2',
      [position, transactionId],
    );
    return rows[0]?.event_id;
  }

  /**
   * The checkpoint of the last event `readAll` can return now (START for an empty log): a read after it returns only
   * events committed later, so a reader starting "from now" misses none of them.
   */
  async lastCheckpoint(): Promise<Checkpoint> {
    const { rows } = await this.db.query<{ transaction_id: string; global_position: string }>({
      name: 'chronicle_last_checkpoint',
      text: `SELECT transaction_id::text AS transaction_id, global_position FROM events
       WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
       ORDER BY events.transaction_id DESC, events.global_position DESC
       LIMIT 1`,
    });
    return rows[0]
      ? { transactionId: rows[0].transaction_id, position: Number(rows[0].global_position) }
      : START;
  }

  async headPosition(): Promise<number> {
    const { rows } = await this.db.query<{ head: string | null }>(
      'SELECT max(global_position) AS head FROM events',
    );
    return Number(rows[0].head ?? 0);
  }

  private async findDuplicate(streamId: string, ids: string[]): Promise<AppendResult | undefined> {
    const { rows } = await this.db.query<EventRow>(
      `SELECT ${COLUMNS} FROM events WHERE event_id = ANY($1::uuid[]) ORDER BY global_position`,
      [ids],
    );
    if (rows.length === 0) return undefined;
    const sameAppend =
      rows.length === ids.length &&
      rows.every(
        (row, i) =>
          row.stream_id === streamId &&
          row.event_id === ids[i] &&
          row.stream_version === rows[0].stream_version + i,
      );
    if (!sameAppend)
      throw new EventIdConflictError(
        streamId,
        rows.map((r) => r.event_id),
      );
    return this.result(streamId, await this.decryptPersonalData(rows), true);
  }

  private result(streamId: string, events: PersistedEvent[], duplicate: boolean): AppendResult {
    const last = events[events.length - 1];
    return {
      streamId,
      version: last.streamVersion,
      position: last.globalPosition,
      events,
      duplicate,
    };
  }
}
