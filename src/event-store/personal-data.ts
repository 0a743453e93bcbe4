import {
  createCipheriv,
  createDecipheriv,
  createHash,
  randomBytes,
  type KeyObject,
} from 'node:crypto';

import { PERSONAL_DATA_ERASED } from '../shared/personal-data-erased.js';

export { PERSONAL_DATA_ERASED };

type EventData = Record<string, unknown>;

/**
 * The fields of an event type that are personal data of one subject (a person): they are stored encrypted with
 * that subject's key, and read as PERSONAL_DATA_ERASED once the key is destroyed.
 */
export interface PersonalDataDeclaration {
  /** The subject's id: a path in the event's data (`customerId`, `customer.id`) or a function of the data. */
  readonly subject: string | ((data: EventData) => unknown);
  /** Paths of the personal fields (`ownerName`, `shipping.street`); a field absent from an event is skipped. */
  readonly fields: readonly string[];
}

/** The key in `events.data` (and `snapshots.state`) under which personal data is stored encrypted. */
export const SEALED = '$personal';

/** `events.data[SEALED]`: the declared fields' values, encrypted together with the subject's key. */
export interface SealedFields {
  readonly v: 1;
  readonly subject: string;
  readonly fields: readonly string[];
  /** base64: the AES-256-GCM nonce. */
  readonly iv: string;
  /** base64: ciphertext then the 16-byte authentication tag. */
  readonly data: string;
}

/** `snapshots.state[SEALED]`: a whole snapshot state, encrypted with a key derived from all its subjects' keys. */
export interface SealedState {
  readonly v: 1;
  readonly subjects: readonly string[];
  readonly iv: string;
  readonly data: string;
}

export function subjectOf(
  declaration: PersonalDataDeclaration,
  data: EventData,
): string | undefined {
  const { subject } = declaration;
  const value = typeof subject === 'function' ? subject(data) : valueAt(data, subject);
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export function valueAt(data: EventData, path: string): unknown {
  let value: unknown = data;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as EventData)[key];
  }
  return value;
}

/** A copy of `data` with `path` set (or removed when `value` is undefined); objects on the path are copied. */
export function withValueAt(data: EventData, path: string, value: unknown): EventData {
  const [key, ...rest] = path.split('.');
  const copy = { ...data };
  if (rest.length === 0) {
    if (value === undefined) delete copy[key];
    else copy[key] = value;
    return copy;
  }
  const inner = copy[key];
  if (inner === null || typeof inner !== 'object') return copy;
  copy[key] = withValueAt(inner as EventData, rest.join('.'), value);
  return copy;
}

export function isSealed(data: EventData): boolean {
  return Object.prototype.hasOwnProperty.call(data, SEALED);
}

/** AES-256-GCM with a fresh 96-bit nonce; `aad` binds the ciphertext to where it is stored. */
export function encrypt(key: KeyObject | Buffer, plaintext: Buffer, aad: string) {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, sealed: Buffer.concat([ciphertext, cipher.getAuthTag()]) };
}

/** Throws when the ciphertext, nonce, tag, `aad` or key is not the one it was sealed with. */
export function decrypt(key: KeyObject | Buffer, iv: Buffer, sealed: Buffer, aad: string): Buffer {
  if (iv.length !== 12 || sealed.length < 16) throw new Error('malformed ciphertext');
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]);
}

/** What a sealed event's fields are bound to: a ciphertext copied to another stream, type or subject fails. */
export function fieldsAad(
  streamId: string,
  type: string,
  subject: string,
  fields: readonly string[],
) {
  return `chronicle:personal-data:v1\n${streamId}\n${type}\n${subject}\n${fields.join(',')}`;
}

export function stateAad(streamId: string, subjects: readonly string[]) {
  return `chronicle:snapshot:v1\n${streamId}\n${subjects.join(',')}`;
}

/** The key of a snapshot holding several subjects' data: destroying any one of their keys makes it unreadable. */
export function stateKey(keys: readonly Buffer[]): Buffer {
  const hash = createHash('sha256').update('chronicle:snapshot-key:v1');
  for (const key of keys) hash.update(key);
  return hash.digest();
}
