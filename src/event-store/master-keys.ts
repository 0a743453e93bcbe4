import { hkdfSync, type KeyObject } from 'node:crypto';
import { PersonalDataUnreadableError } from './event-store.errors.js';
import { decrypt, encrypt } from './personal-data.js';

/** Wrapped before master keys had ids: version (1 byte), nonce (12), encrypted key (32), tag (16). */
const LEGACY_VERSION = 1;
/** Version (1 byte), master key id (8), nonce (12), encrypted key (32), tag (16). */
const WRAPPED_VERSION = 2;
const ID_BYTES = 8;

/** Names a master key without revealing it: 8 bytes of HKDF-SHA-256 of the key, in hex. */
export function masterKeyId(key: KeyObject): string {
  return Buffer.from(
    hkdfSync('sha256', key, Buffer.alloc(0), 'chronicle/master-key-id', ID_BYTES),
  ).toString('hex');
}

/** The id a wrapped key names (the `master_key_id` column computes the same); undefined for the legacy format. */
export function wrappedKeyId(wrapped: Buffer): string | undefined {
  return wrapped[0] === WRAPPED_VERSION
    ? wrapped.subarray(1, 1 + ID_BYTES).toString('hex')
    : undefined;
}

/**
 * The master keys of personal data: the current one (CHRONICLE_MASTER_KEY) wraps, the previous ones
 * (CHRONICLE_PREVIOUS_MASTER_KEYS) are kept only to unwrap what a rotation has not re-wrapped yet. Each wrapped key
 * names its master key, so unwrapping picks it by id (docs/architecture.md#master-key-rotation).
 */
export class MasterKeys {
  readonly currentId: string;
  private readonly byId = new Map<string, KeyObject>();

  constructor(current: KeyObject, previous: readonly KeyObject[] = []) {
    this.currentId = masterKeyId(current);
    for (const key of [current, ...previous]) {
      const id = masterKeyId(key);
      if (!this.byId.has(id)) this.byId.set(id, key);
    }
  }

  /** Every configured id, the current one first. */
  get ids(): string[] {
    return [...this.byId.keys()];
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  wrap(subject: string, key: Buffer): Buffer {
    const { iv, sealed } = encrypt(this.byId.get(this.currentId)!, key, keyAad(subject));
    return Buffer.concat([
      Buffer.of(WRAPPED_VERSION),
      Buffer.from(this.currentId, 'hex'),
      iv,
      sealed,
    ]);
  }

  /** PersonalDataUnreadableError naming the reason: an unknown master key id, or a key row that does not unwrap. */
  unwrap(subject: string, wrapped: Buffer): Buffer {
    const id = wrappedKeyId(wrapped);
    if (id !== undefined && !this.byId.has(id))
      throw unreadable(
        subject,
        `the key of subject ${subject} is wrapped under master key ${id}, which is neither CHRONICLE_MASTER_KEY ` +
          'nor in CHRONICLE_PREVIOUS_MASTER_KEYS',
      );
    const candidates = id !== undefined ? [this.byId.get(id)!] : [...this.byId.values()];
    for (const master of candidates) {
      const key = tryUnwrap(master, subject, wrapped);
      if (key) return key;
    }
    throw unreadable(
      subject,
      `the key of subject ${subject} does not unwrap with ` +
        (id !== undefined
          ? `master key ${id}`
          : 'CHRONICLE_MASTER_KEY or CHRONICLE_PREVIOUS_MASTER_KEYS') +
        ' (another master key, or an altered key row)',
    );
  }
}

function tryUnwrap(master: KeyObject, subject: string, wrapped: Buffer): Buffer | undefined {
  const body =
    wrapped[0] === WRAPPED_VERSION
      ? wrapped.subarray(1 + ID_BYTES)
      : wrapped[0] === LEGACY_VERSION
        ? wrapped.subarray(1)
        : undefined;
  if (!body) return undefined;
  try {
    return decrypt(master, body.subarray(0, 12), body.subarray(12), keyAad(subject));
  } catch {
    return undefined;
  }
}

function unreadable(subject: string, reason: string): PersonalDataUnreadableError {
  return new PersonalDataUnreadableError(`Personal data of subject ${subject}`, reason);
}

function keyAad(subject: string): string {
  return `chronicle:personal-data-key:v1\n${subject}`;
}
