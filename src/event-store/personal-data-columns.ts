import type { Pool, PoolClient } from 'pg';
import { PersonalDataUnreadableError } from './event-store.errors.js';
import { KeyRing, type PersonalDataKeys } from './personal-data-keys.js';
import { decrypt, encrypt, PERSONAL_DATA_ERASED } from './personal-data.js';

type Queryable = Pick<Pool, 'query'> | Pick<PoolClient, 'query'>;

/** A sealed read-model value: version (1 byte), nonce (12), ciphertext, tag (16). */
const SEALED_VERSION = 1;

export interface ColumnValue {
  /** Whose personal data it is: the value is sealed under this subject's key. */
  readonly subject: string;
  /** Any JSON value. */
  readonly value: unknown;
}

/**
 * Personal data in read models, sealed under its subject's key like in the events: a projection seals what it
 * writes, a query opens what it reads with the key row it read in the same statement. Destroying the key erases
 * every copy at once, whatever state the projections are in (docs/architecture.md#personal-data-in-read-models).
 */
export class PersonalDataColumns {
  constructor(private readonly keys: PersonalDataKeys) {}

  /**
   * Each value sealed for `column` (`table.column`) under its subject's key, with one key lookup for all (keys are
   * created for subjects without one); null for an erased subject: nothing of theirs is stored. `db`: the
   * connection of the caller's transaction, so it never waits for a second pooled connection while holding one.
   */
  async seal(
    column: string,
    items: readonly ColumnValue[],
    db: Queryable,
  ): Promise<Array<Buffer | null>> {
    if (items.length === 0) return [];
    const ring = new KeyRing();
    const keys = this.keys.on(db);
    await keys.obtain(
      items.map((item) => item.subject),
      ring,
    );
    return items.map(({ subject, value }) => {
      if (ring.isErased(subject)) return null;
      const key = keys.keyOf(subject, ring);
      const plaintext = Buffer.from(JSON.stringify(value));
      const { iv, sealed } = encrypt(key, plaintext, columnAad(column, subject));
      return Buffer.concat([Buffer.of(SEALED_VERSION), iv, sealed]);
    });
  }

  /**
   * A value sealed by `seal`, opened with its subject's key row as the same query read it (`wrappedKey`: null for
   * a tombstone, undefined when there is no row): PERSONAL_DATA_ERASED once the value or the key is destroyed.
   * Throws PersonalDataUnreadableError rather than return anything it cannot authenticate.
   */
  open(
    column: string,
    subject: string,
    sealed: Buffer | null,
    wrappedKey: Buffer | null | undefined,
  ): unknown {
    if (sealed === null || wrappedKey === null) return PERSONAL_DATA_ERASED;
    const ring = new KeyRing();
    ring.hold(subject, wrappedKey);
    const key = this.keys.keyOf(subject, ring);
    try {
      if (sealed[0] !== SEALED_VERSION) throw new Error('unknown format');
      const aad = columnAad(column, subject);
      return JSON.parse(decrypt(key, sealed.subarray(1, 13), sealed.subarray(13), aad).toString());
    } catch {
      throw new PersonalDataUnreadableError(
        `Personal data in ${column} of subject ${subject}`,
        'its ciphertext failed authentication (altered, or copied from another column or subject)',
      );
    }
  }
}

function columnAad(column: string, subject: string): string {
  return `chronicle:read-model:v1\n${column}\n${subject}`;
}
