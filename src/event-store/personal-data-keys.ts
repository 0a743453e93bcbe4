import { randomBytes } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { PersonalDataErasedError, PersonalDataUnreadableError } from './event-store.errors.js';
import { MasterKeyRotation } from './master-key-rotation.js';
import type { MasterKeys } from './master-keys.js';

type Queryable = Pick<Pool, 'query'> | Pick<PoolClient, 'query'>;

const ERASED = 'erased';
const NONE = 'none';
type Held = { wrapped: Buffer; key?: Buffer } | typeof ERASED | typeof NONE;

/** The subjects' keys one append or read has looked up: one query per batch, each unwrapped on first use. */
export class KeyRing {
  private readonly held = new Map<string, Held>();

  missing(subjects: Iterable<string>): string[] {
    return [...new Set(subjects)].filter((subject) => !this.held.has(subject));
  }

  isErased(subject: string): boolean {
    return this.held.get(subject) === ERASED;
  }

  entry(subject: string): Held | undefined {
    return this.held.get(subject);
  }

  set(subject: string, held: Held): void {
    this.held.set(subject, held);
  }

  /** A key row as read (`wrapped_key`): null for a tombstone, undefined when no row is stored. */
  hold(subject: string, wrapped: Buffer | null | undefined): void {
    this.held.set(subject, wrapped ? { wrapped } : wrapped === null ? ERASED : NONE);
  }
}

const SELECT_KEYS = `SELECT subject_id, wrapped_key FROM personal_data_keys WHERE subject_id = ANY($1::text[])`;

/**
 * The missing keys inserted, the others read. A key inserted concurrently and not yet visible to this statement
 * is absent from the answer: the caller asks again.
 */
const OBTAIN_KEYS = `
WITH wanted AS (SELECT * FROM unnest($1::text[], $2::bytea[]) AS w(subject_id, wrapped_key)),
created AS (
  INSERT INTO personal_data_keys (subject_id, wrapped_key) SELECT subject_id, wrapped_key FROM wanted
  ON CONFLICT (subject_id) DO NOTHING
  RETURNING subject_id, wrapped_key)
SELECT subject_id, wrapped_key, true AS created FROM created
UNION ALL
SELECT subject_id, wrapped_key, false FROM personal_data_keys
WHERE subject_id = ANY($1::text[]) AND subject_id NOT IN (SELECT subject_id FROM created)`;

/** A tombstone: the key material is gone for good, and the row says the subject was erased. */
const ERASE_KEYS = `
INSERT INTO personal_data_keys (subject_id, wrapped_key, erased_at)
SELECT DISTINCT unnest($1::text[]), NULL::bytea, now()
ON CONFLICT (subject_id) DO UPDATE SET wrapped_key = NULL, erased_at = now()
WHERE personal_data_keys.erased_at IS NULL`;

/**
 * The live keys of other spellings of the subjects (`6F1C…` for `6f1c…`): ids once stored as the client cased them.
 * Erasing a subject erases them all (the `personal_data_keys_by_lower_subject` index).
 */
const ERASE_SPELLINGS = `
UPDATE personal_data_keys SET wrapped_key = NULL, erased_at = now()
WHERE lower(subject_id) = ANY(ARRAY(SELECT lower(s) FROM unnest($1::text[]) AS s))
  AND wrapped_key IS NOT NULL AND subject_id <> ALL($1::text[])`;

/**
 * `personal_data_keys`: a random 256-bit data key per subject, stored wrapped (AES-256-GCM) with the current master
 * key and bound to the subject id, so a key row copied to another subject does not unwrap.
 */
export class PersonalDataKeys {
  constructor(
    private readonly db: Queryable,
    private readonly masterKeys?: MasterKeys,
  ) {}

  /** The same keys through another connection (e.g. a read model's transaction). */
  on(db: Queryable): PersonalDataKeys {
    return new PersonalDataKeys(db, this.masterKeys);
  }

  /** Looks up every subject's key not in `ring` yet, in one query. */
  async lookUp(subjects: Iterable<string>, ring: KeyRing): Promise<void> {
    const missing = ring.missing(subjects);
    if (missing.length === 0) return;
    const { rows } = await this.db.query<{ subject_id: string; wrapped_key: Buffer | null }>({
      name: 'chronicle_personal_keys',
      text: SELECT_KEYS,
      values: [missing],
    });
    for (const row of rows) ring.hold(row.subject_id, row.wrapped_key);
    for (const subject of missing) if (!ring.entry(subject)) ring.hold(subject, undefined);
  }

  /** Like lookUp, creating the keys of subjects that have none, in their own (committed) statement. */
  async obtain(subjects: readonly string[], ring: KeyRing): Promise<void> {
    for (let attempt = 1; ring.missing(subjects).length > 0; attempt++) {
      if (attempt > 5) throw new Error('Could not create or read the personal-data keys');
      const missing = ring.missing(subjects);
      const fresh = missing.map(() => randomBytes(32));
      const wrapped = missing.map((subject, i) => this.wrap(subject, fresh[i]));
      const { rows } = await this.db.query<{
        subject_id: string;
        wrapped_key: Buffer | null;
        created: boolean;
      }>({ name: 'chronicle_obtain_personal_keys', text: OBTAIN_KEYS, values: [missing, wrapped] });
      for (const { subject_id, wrapped_key, created } of rows) {
        const key = created ? fresh[missing.indexOf(subject_id)] : undefined;
        ring.set(subject_id, wrapped_key ? { wrapped: wrapped_key, key } : ERASED);
      }
    }
  }

  /**
   * The subject's data key from `ring`. PersonalDataErasedError when it was destroyed; PersonalDataUnreadableError
   * when no row is stored or it does not unwrap.
   */
  keyOf(subject: string, ring: KeyRing): Buffer {
    const held = ring.entry(subject);
    if (held === ERASED) throw new PersonalDataErasedError(subject);
    if (held === NONE || held === undefined)
      throw new PersonalDataUnreadableError(
        `Personal data of subject ${subject}`,
        `no key is stored for subject ${subject}`,
      );
    held.key ??= this.unwrap(subject, held.wrapped);
    return held.key;
  }

  /**
   * Destroys the keys for good, keeping each row as a tombstone (written even for a subject without a key), and
   * those of the subjects' other spellings.
   */
  async erase(subjects: readonly string[]): Promise<void> {
    if (subjects.length === 0) return;
    await this.db.query(ERASE_KEYS, [subjects]);
    await this.db.query(ERASE_SPELLINGS, [subjects]);
  }

  /** Every master key the stored keys name is configured and unwraps one of them: checked at start-up. */
  verifyMasterKeys(): Promise<void> {
    return new MasterKeyRotation(this.db, this.requireMasterKeys()).verify();
  }

  private wrap(subject: string, key: Buffer): Buffer {
    return this.requireMasterKeys().wrap(subject, key);
  }

  private unwrap(subject: string, wrapped: Buffer): Buffer {
    return this.requireMasterKeys().unwrap(subject, wrapped);
  }

  private requireMasterKeys(): MasterKeys {
    if (!this.masterKeys)
      throw new Error(
        'This event store has no master key: it cannot encrypt or read personal data',
      );
    return this.masterKeys;
  }
}
