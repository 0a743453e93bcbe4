import type { Pool, PoolClient } from 'pg';
import { PersonalDataUnreadableError } from './event-store.errors.js';
import type { MasterKeys } from './master-keys.js';

type Queryable = Pick<Pool, 'query'> | Pick<PoolClient, 'query'>;

/** How many stored keys a master key wraps; `keyId` null: wrapped before keys had ids (legacy). */
export interface KeyCount {
  readonly keyId: string | null;
  readonly role: 'current' | 'previous' | 'unknown' | 'legacy';
  readonly keys: number;
}

export interface MasterKeyStatus {
  readonly currentId: string;
  readonly byKey: readonly KeyCount[];
  /** Tombstones: keys destroyed by an erasure, which no master key wraps any more. */
  readonly erased: number;
}

export interface RotationProgress {
  /** Keys re-wrapped under the current master key so far. */
  readonly done: number;
  /** Keys not under the current master key when the rotation started (more may appear, see `remaining`). */
  readonly total: number;
}

export interface RotationResult {
  readonly rewrapped: number;
  /** Keys erased or re-wrapped by someone else between their read and their update: left as they were. */
  readonly changedMeanwhile: number;
  readonly status: MasterKeyStatus;
}

/** A stored key that no configured master key can unwrap: the rotation stops before writing anything of it. */
export class MasterKeyRotationRefused extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MasterKeyRotationRefused';
  }
}

const STATUS = `
SELECT master_key_id AS key_id, count(*) FILTER (WHERE wrapped_key IS NOT NULL)::bigint AS keys,
       count(*) FILTER (WHERE wrapped_key IS NULL)::bigint AS erased
FROM personal_data_keys GROUP BY master_key_id`;

/** The distinct ids in use, one index probe each (a loose index scan) rather than a scan of every key. */
const IDS_IN_USE = `
WITH RECURSIVE ids AS (
  (SELECT master_key_id FROM personal_data_keys WHERE master_key_id IS NOT NULL ORDER BY master_key_id LIMIT 1)
  UNION ALL
  SELECT (SELECT k.master_key_id FROM personal_data_keys k WHERE k.master_key_id > ids.master_key_id
          ORDER BY k.master_key_id LIMIT 1)
  FROM ids WHERE ids.master_key_id IS NOT NULL)
SELECT master_key_id AS key_id FROM ids WHERE master_key_id IS NOT NULL`;

const BATCH_UNDER = `
SELECT subject_id, wrapped_key FROM personal_data_keys
WHERE master_key_id = $1 AND subject_id > $2 ORDER BY subject_id LIMIT $3`;

const LEGACY_BATCH = `
SELECT subject_id, wrapped_key FROM personal_data_keys
WHERE master_key_id IS NULL AND wrapped_key IS NOT NULL AND subject_id > $1 ORDER BY subject_id LIMIT $2`;

/**
 * Compare-and-set on the wrapped bytes: a key erased (or re-wrapped by another run) since it was read is left as it
 * is, so an erasure is never undone. The data key inside stays the same: what it sealed stays readable.
 */
const REWRAP = `
UPDATE personal_data_keys k SET wrapped_key = n.rewrapped
FROM unnest($1::text[], $2::bytea[], $3::bytea[]) AS n(subject_id, wrapped, rewrapped)
WHERE k.subject_id = n.subject_id AND k.wrapped_key = n.wrapped
RETURNING k.subject_id`;

/** A rotation goes over the keys again while some are still not under the current master key, this many times. */
const PASSES = 3;

/**
 * Moves every stored key under the current master key while the service runs, and checks at start-up that every
 * master key the stored keys name is configured (docs/architecture.md#master-key-rotation).
 */
export class MasterKeyRotation {
  constructor(
    private readonly db: Queryable,
    private readonly keys: MasterKeys,
  ) {}

  async status(): Promise<MasterKeyStatus> {
    const { rows } = await this.db.query<{ key_id: string | null; keys: string; erased: string }>(
      STATUS,
    );
    const byKey = rows
      .filter((row) => Number(row.keys) > 0)
      .map((row) => ({ keyId: row.key_id, role: this.roleOf(row.key_id), keys: Number(row.keys) }))
      .sort((a, b) => ROLES.indexOf(a.role) - ROLES.indexOf(b.role));
    const erased = rows.reduce((sum, row) => sum + Number(row.erased), 0);
    return { currentId: this.keys.currentId, byKey, erased };
  }

  /** Throws one line when a stored key names a master key not configured, or one of each does not unwrap. */
  async verify(): Promise<void> {
    const { rows } = await this.db.query<{ key_id: string }>(IDS_IN_USE);
    const unknown = rows.map((row) => row.key_id).filter((id) => !this.keys.has(id));
    if (unknown.length > 0) throw new Error(this.unknownKeys(unknown));
    for (const { key_id } of rows) await this.unwrapOne(BATCH_UNDER, [key_id, '', 1]);
    await this.unwrapOne(LEGACY_BATCH, ['', 1]);
  }

  /**
   * Re-wraps, in batches of one statement each, every key under another master key than the current one; safe to
   * run while the service writes, to stop at any point and to run again.
   */
  async rotate({
    batchSize = 500,
    onProgress = () => {},
  }: {
    batchSize?: number;
    onProgress?: (progress: RotationProgress) => void;
  } = {}): Promise<RotationResult> {
    const before = await this.status();
    const unknown = before.byKey.filter((count) => count.role === 'unknown');
    if (unknown.length > 0)
      throw new MasterKeyRotationRefused(this.unknownKeys(unknown.map((count) => count.keyId!)));
    const total = toRewrap(before);
    let rewrapped = 0;
    let changedMeanwhile = 0;
    for (let pass = 0; pass < PASSES; pass++) {
      for (const source of [...this.keys.ids.filter((id) => id !== this.keys.currentId), null]) {
        for (let after = ''; ;) {
          const batch = await this.batchUnder(source, after, batchSize);
          if (batch.length === 0) break;
          const stored = await this.rewrap(batch);
          rewrapped += stored;
          changedMeanwhile += batch.length - stored;
          after = batch[batch.length - 1].subject_id;
          onProgress({ done: rewrapped, total: Math.max(total, rewrapped) });
        }
      }
      const status = await this.status();
      if (toRewrap(status) === 0) return { rewrapped, changedMeanwhile, status };
    }
    const status = await this.status();
    const left = status.byKey.filter((count) => count.role !== 'current');
    throw new MasterKeyRotationRefused(
      `${toRewrap(status)} keys are still under ${left.map((c) => c.keyId ?? 'no id').join(', ')} after ` +
        `${PASSES} passes: an instance still wraps new keys with another CHRONICLE_MASTER_KEY, or a key id ` +
        'unknown here appeared',
    );
  }

  private async batchUnder(source: string | null, after: string, limit: number) {
    const { rows } = await this.db.query<{ subject_id: string; wrapped_key: Buffer }>(
      source === null ? LEGACY_BATCH : BATCH_UNDER,
      source === null ? [after, limit] : [source, after, limit],
    );
    return rows;
  }

  private async rewrap(batch: { subject_id: string; wrapped_key: Buffer }[]): Promise<number> {
    const rewrapped = batch.map(({ subject_id, wrapped_key }) => {
      try {
        return this.keys.wrap(subject_id, this.keys.unwrap(subject_id, wrapped_key));
      } catch (error) {
        if (error instanceof PersonalDataUnreadableError)
          throw new MasterKeyRotationRefused(error.reason, { cause: error });
        throw error;
      }
    });
    const { rowCount } = await this.db.query(REWRAP, [
      batch.map((row) => row.subject_id),
      batch.map((row) => row.wrapped_key),
      rewrapped,
    ]);
    return rowCount ?? 0;
  }

  private async unwrapOne(query: string, values: unknown[]): Promise<void> {
    const { rows } = await this.db.query<{ subject_id: string; wrapped_key: Buffer }>(
      query,
      values,
    );
    if (!rows[0]) return;
    try {
      this.keys.unwrap(rows[0].subject_id, rows[0].wrapped_key);
    } catch (error) {
      if (!(error instanceof PersonalDataUnreadableError)) throw error;
      throw new Error(
        `The personal-data keys in this database do not unwrap with the configured master keys: ${error.reason}`,
        { cause: error },
      );
    }
  }

  private roleOf(id: string | null): KeyCount['role'] {
    if (id === null) return 'legacy';
    if (id === this.keys.currentId) return 'current';
    return this.keys.has(id) ? 'previous' : 'unknown';
  }

  private unknownKeys(ids: readonly string[]): string {
    return (
      `Personal-data keys in this database are wrapped under master key ${ids.join(', ')}, which is neither ` +
      `CHRONICLE_MASTER_KEY (${this.keys.currentId}) nor in CHRONICLE_PREVIOUS_MASTER_KEYS: add it there`
    );
  }
}

const ROLES: readonly KeyCount['role'][] = ['current', 'previous', 'legacy', 'unknown'];

function toRewrap(status: MasterKeyStatus): number {
  return status.byKey
    .filter((count) => count.role !== 'current')
    .reduce((sum, count) => sum + count.keys, 0);
}
