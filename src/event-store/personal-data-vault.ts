import type { Pool, PoolClient } from 'pg';
import { PersonalDataUnreadableError } from './event-store.errors.js';
import type { EventTypeRegistry } from './event-type-registry.js';
import { PersonalDataColumns } from './personal-data-columns.js';
import type { MasterKeys } from './master-keys.js';
import { KeyRing, PersonalDataKeys } from './personal-data-keys.js';
import {
  decrypt,
  encrypt,
  fieldsAad,
  isSealed,
  PERSONAL_DATA_ERASED,
  SEALED,
  type SealedFields,
  type SealedState,
  stateAad,
  stateKey,
  subjectOf,
  valueAt,
  withValueAt,
} from './personal-data.js';

type EventData = Record<string, unknown>;
type Queryable = Pick<Pool, 'query'> | Pick<PoolClient, 'query'>;

export interface SealedItem {
  readonly streamId: string;
  readonly type: string;
  readonly data: EventData;
}

export interface OpenedItem {
  readonly data: EventData;
  /** Set when `data` holds this subject's personal data in clear (not erased). */
  readonly subject?: string;
}

/** A snapshot state opened: usable, or why it is not (a cache: the caller folds from the first event instead). */
export type OpenedState =
  | { readonly state: EventData; readonly subjects: readonly string[] }
  | { readonly unusable: string; readonly erased: boolean };

type Plan =
  | { readonly sealed: SealedFields; readonly subject: string }
  | { readonly legacy: readonly string[]; readonly subject: string };

/**
 * Crypto-shredding: the declared personal fields of events are encrypted (AES-256-GCM) with a key per subject,
 * stored in `personal_data_keys` wrapped with a master key. Erasing a subject destroys its key, so its data in
 * the immutable events (and in snapshots, sealed the same way) can never be read again.
 */
export class PersonalDataVault {
  private readonly keys: PersonalDataKeys;
  /** The same keys for the copies read models keep: sealed by projections, opened by queries. */
  readonly columns: PersonalDataColumns;

  constructor(
    private readonly db: Queryable,
    private readonly registry: EventTypeRegistry,
    masterKeys?: MasterKeys,
  ) {
    this.keys = new PersonalDataKeys(db, masterKeys);
    this.columns = new PersonalDataColumns(this.keys);
  }

  /**
   * The events' data with their declared personal fields encrypted. Missing subject keys are created first, in
   * their own statement: a key without events is harmless, events without their key never happen.
   */
  async seal(
    streamId: string,
    events: readonly { type: string; data: EventData }[],
  ): Promise<{ data: EventData[]; ring: KeyRing }> {
    const ring = new KeyRing();
    const plans = events.map(({ type, data }) => this.sealPlan(type, data));
    const subjects = plans.flatMap((plan) => (plan ? [plan.subject] : []));
    if (subjects.length === 0) return { data: events.map((e) => e.data), ring };
    await this.keys.obtain(subjects, ring);
    const data = events.map(({ type, data }, i) => {
      const plan = plans[i];
      if (!plan) return data;
      const key = this.keys.keyOf(plan.subject, ring);
      const values = plan.fields.map((field) => valueAt(data, field));
      const rest = plan.fields.reduce((d, field) => withValueAt(d, field, undefined), data);
      const aad = fieldsAad(streamId, type, plan.subject, plan.fields);
      const { iv, sealed } = encrypt(key, Buffer.from(JSON.stringify(values)), aad);
      const envelope: SealedFields = {
        v: 1,
        subject: plan.subject,
        fields: plan.fields,
        iv: iv.toString('base64'),
        data: sealed.toString('base64'),
      };
      return { ...rest, [SEALED]: envelope };
    });
    return { data, ring };
  }

  /**
   * Stored data as the domain wrote it: sealed fields decrypted, or PERSONAL_DATA_ERASED once their subject is
   * erased (also for events stored in clear before encryption existed). One key lookup for the whole batch.
   * Throws PersonalDataUnreadableError rather than return anything it cannot authenticate.
   */
  async decryptPersonalData(
    items: readonly SealedItem[],
    ring = new KeyRing(),
    moreSubjects: readonly string[] = [],
  ): Promise<OpenedItem[]> {
    const plans = items.map((item) => this.decryptionPlan(item));
    const subjects = plans.flatMap((plan) => (plan ? [plan.subject] : []));
    if (subjects.length + moreSubjects.length === 0) return items.map(({ data }) => ({ data }));
    await this.keys.lookUp([...subjects, ...moreSubjects], ring);
    return items.map((item, i) => this.decryptOne(item, plans[i], ring));
  }

  /**
   * A snapshot state sealed under all its subjects' keys (keys are created for subjects stored in clear so far);
   * undefined when one of them is erased: there is nothing left to snapshot it with.
   */
  async sealState(
    streamId: string,
    subjects: readonly string[],
    state: EventData,
  ): Promise<EventData | undefined> {
    if (subjects.length === 0) return state;
    const sorted = [...new Set(subjects)].sort();
    const ring = new KeyRing();
    await this.keys.obtain(sorted, ring);
    if (sorted.some((subject) => ring.isErased(subject))) return undefined;
    const key = stateKey(sorted.map((subject) => this.keys.keyOf(subject, ring)));
    const { iv, sealed } = encrypt(
      key,
      Buffer.from(JSON.stringify(state)),
      stateAad(streamId, sorted),
    );
    const envelope: SealedState = {
      v: 1,
      subjects: sorted,
      iv: iv.toString('base64'),
      data: sealed.toString('base64'),
    };
    return { [SEALED]: envelope };
  }

  /** The subjects a stored snapshot state is sealed under (to look their keys up with its events'). */
  stateSubjects(state: EventData): string[] {
    const envelope = state[SEALED] as SealedState | undefined;
    return isSealed(state) && Array.isArray(envelope?.subjects)
      ? envelope.subjects.map(String)
      : [];
  }

  /** Opens a snapshot state with keys already in `ring` (see stateSubjects). */
  openState(streamId: string, state: EventData, ring: KeyRing): OpenedState {
    if (!isSealed(state)) return { state, subjects: [] };
    const envelope = state[SEALED] as SealedState;
    const subjects = this.stateSubjects(state);
    if (subjects.some((subject) => ring.isErased(subject)))
      return { unusable: 'a subject of its personal data was erased', erased: true };
    try {
      const key = stateKey(subjects.map((subject) => this.keys.keyOf(subject, ring)));
      const plaintext = decrypt(
        key,
        Buffer.from(envelope.iv, 'base64'),
        Buffer.from(envelope.data, 'base64'),
        stateAad(streamId, subjects),
      );
      return { state: JSON.parse(plaintext.toString()) as EventData, subjects };
    } catch (error) {
      return { unusable: error instanceof Error ? error.message : String(error), erased: false };
    }
  }

  /**
   * Destroys the subjects' keys (a tombstone row stays: their personal data reads as erased, and none can be
   * appended any more) and deletes the snapshots of `streamIds`, which may hold their data from before encryption.
   * Idempotent. Snapshots of other streams are sealed under the destroyed keys: unreadable, hence ignored.
   */
  async erase(subjects: readonly string[], streamIds: readonly string[] = []): Promise<void> {
    await this.keys.erase(subjects);
    if (streamIds.length > 0)
      await this.db.query('DELETE FROM snapshots WHERE stream_id = ANY($1::text[])', [streamIds]);
  }

  verifyMasterKeys(): Promise<void> {
    return this.keys.verifyMasterKeys();
  }

  private sealPlan(type: string, data: EventData) {
    if (isSealed(data)) throw new Error(`Event data of ${type} may not use the key "${SEALED}"`);
    const declaration = this.registry.personalDataOf(type);
    if (!declaration) return undefined;
    const fields = declaration.fields.filter((field) => valueAt(data, field) !== undefined);
    if (fields.length === 0) return undefined;
    const subject = subjectOf(declaration, data);
    if (!subject)
      throw new Error(`${type} carries personal data but no subject id to encrypt it for`);
    return { subject, fields };
  }

  private decryptionPlan({ streamId, type, data }: SealedItem): Plan | undefined {
    if (isSealed(data)) {
      const sealed = data[SEALED] as SealedFields;
      const valid =
        sealed?.v === 1 &&
        typeof sealed.subject === 'string' &&
        Array.isArray(sealed.fields) &&
        sealed.fields.every((field) => typeof field === 'string') &&
        typeof sealed.iv === 'string' &&
        typeof sealed.data === 'string';
      if (!valid) throw this.unreadable(streamId, type, 'its envelope is malformed');
      return { sealed, subject: sealed.subject };
    }
    const declaration = this.registry.personalDataOf(type);
    if (!declaration) return undefined;
    const subject = subjectOf(declaration, data);
    const legacy = declaration.fields.filter((field) => valueAt(data, field) !== undefined);
    return subject && legacy.length > 0 ? { legacy, subject } : undefined;
  }

  private decryptOne(item: SealedItem, plan: Plan | undefined, ring: KeyRing): OpenedItem {
    const { streamId, type, data } = item;
    if (!plan) return { data };
    if ('legacy' in plan) {
      // Stored in clear before encryption existed: the rows keep it, every read masks it once erased.
      if (!ring.isErased(plan.subject)) return { data, subject: plan.subject };
      return { data: mask(data, plan.legacy) };
    }
    const { sealed, subject } = plan;
    const rest = withValueAt(data, SEALED, undefined);
    if (ring.isErased(subject)) return { data: mask(rest, sealed.fields) };
    let key: Buffer;
    try {
      key = this.keys.keyOf(subject, ring);
    } catch (error) {
      if (!(error instanceof PersonalDataUnreadableError)) throw error;
      throw this.unreadable(streamId, type, error.reason);
    }
    let values: unknown;
    try {
      const aad = fieldsAad(streamId, type, subject, sealed.fields);
      const plaintext = decrypt(
        key,
        Buffer.from(sealed.iv, 'base64'),
        Buffer.from(sealed.data, 'base64'),
        aad,
      );
      values = JSON.parse(plaintext.toString());
    } catch {
      throw this.unreadable(
        streamId,
        type,
        'its ciphertext failed authentication (altered, or copied from another event)',
      );
    }
    if (!Array.isArray(values) || values.length !== sealed.fields.length)
      throw this.unreadable(streamId, type, 'its decrypted fields do not match its envelope');
    const decrypted = sealed.fields.reduce((d, field, i) => withValueAt(d, field, values[i]), rest);
    return { data: decrypted, subject };
  }

  private unreadable(streamId: string, type: string, reason: string) {
    return new PersonalDataUnreadableError(`Personal data of ${type} in ${streamId}`, reason);
  }
}

function mask(data: EventData, fields: readonly string[]): EventData {
  return fields.reduce((d, field) => withValueAt(d, field, PERSONAL_DATA_ERASED), data);
}
