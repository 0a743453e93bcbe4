import {
  createCipheriv,
  createSecretKey,
  randomBytes,
  randomUUID,
  type KeyObject,
} from 'node:crypto';
import type pg from 'pg';
import { scratchDatabase, type ScratchDatabase } from '../../test/support/database.js';
import { EventTypeRegistry } from './event-type-registry.js';
import { MasterKeyRotation, MasterKeyRotationRefused } from './master-key-rotation.js';
import { MasterKeys, masterKeyId } from './master-keys.js';
import { PostgresEventStore } from './postgres-event-store.js';

const OLD = createSecretKey(randomBytes(32));
const NEW = createSecretKey(randomBytes(32));

describe('master-key rotation: every key re-wrapped under the current master key, nothing lost', () => {
  let scratch: ScratchDatabase;
  let pool: pg.Pool;
  const registry = new EventTypeRegistry();
  registry.register({
    type: 'MemberJoined',
    personal: { subject: 'memberId', fields: ['name'] },
  });
  const storeWith = (masterKey: KeyObject, previousMasterKeys: KeyObject[] = []) =>
    new PostgresEventStore(pool, registry, { masterKey, previousMasterKeys });
  const join = async (store: PostgresEventStore, memberId = randomUUID()) => {
    await store.append(`member-${memberId}`, [
      { type: 'MemberJoined', data: { memberId, name: `Name of ${memberId}` } },
    ]);
    return memberId;
  };
  const nameOf = async (store: PostgresEventStore, memberId: string) =>
    (await store.readStream(`member-${memberId}`))[0].data.name;
  const idsInUse = async () =>
    (
      await pool.query<{ master_key_id: string | null; n: string }>(
        `SELECT master_key_id, count(*) AS n FROM personal_data_keys WHERE wrapped_key IS NOT NULL
         GROUP BY 1 ORDER BY 1`,
      )
    ).rows.map((row) => ({ id: row.master_key_id, keys: Number(row.n) }));

  beforeEach(async () => {
    scratch = await scratchDatabase();
    pool = scratch.pool;
  });
  afterEach(() => scratch.drop());

  it('names the master key in each wrapped key, reads under old and new during the rotation, only new after', async () => {
    const members = await Promise.all([1, 2, 3].map(() => join(storeWith(OLD))));
    expect(await idsInUse()).toEqual([{ id: masterKeyId(OLD), keys: 3 }]);
    const during = storeWith(NEW, [OLD]);
    const fresh = await join(during);
    expect(await idsInUse()).toEqual(
      [
        { id: masterKeyId(OLD), keys: 3 },
        { id: masterKeyId(NEW), keys: 1 },
      ].sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
    for (const id of [...members, fresh]) expect(await nameOf(during, id)).toBe(`Name of ${id}`);

    const result = await new MasterKeyRotation(pool, new MasterKeys(NEW, [OLD])).rotate({
      batchSize: 2,
    });

    expect(result.rewrapped).toBe(3);
    expect(await idsInUse()).toEqual([{ id: masterKeyId(NEW), keys: 4 }]);
    for (const id of [...members, fresh])
      expect(await nameOf(storeWith(NEW), id)).toBe(`Name of ${id}`);
    await expect(nameOf(storeWith(OLD), members[0])).rejects.toThrow(
      `is wrapped under master key ${masterKeyId(NEW)}, which is neither CHRONICLE_MASTER_KEY nor in ` +
        'CHRONICLE_PREVIOUS_MASTER_KEYS',
    );
    const again = await new MasterKeyRotation(pool, new MasterKeys(NEW, [OLD])).rotate();
    expect(again.rewrapped).toBe(0);
  });

  it('re-wraps keys stored before master keys had ids, trying each configured key', async () => {
    const legacy = await join(storeWith(OLD));
    await pool.query('UPDATE personal_data_keys SET wrapped_key = $2 WHERE subject_id = $1', [
      legacy,
      await legacyWrapped(pool, legacy, OLD),
    ]);
    expect(await idsInUse()).toEqual([{ id: null, keys: 1 }]);
    await expect(storeWith(NEW, [OLD]).personalData.verifyMasterKeys()).resolves.toBeUndefined();
    await expect(storeWith(NEW).personalData.verifyMasterKeys()).rejects.toThrow(
      'do not unwrap with the configured master keys',
    );
    const keys = new MasterKeys(NEW, [OLD]);
    expect((await new MasterKeyRotation(pool, keys).status()).byKey).toEqual([
      { keyId: null, role: 'legacy', keys: 1 },
    ]);

    await new MasterKeyRotation(pool, keys).rotate();

    expect(await idsInUse()).toEqual([{ id: masterKeyId(NEW), keys: 1 }]);
    expect(await nameOf(storeWith(NEW), legacy)).toBe(`Name of ${legacy}`);
  });

  it('refuses, writing nothing, when a key is under a master key it is not given', async () => {
    const member = await join(storeWith(OLD));
    const wrong = createSecretKey(randomBytes(32));
    const rotation = new MasterKeyRotation(pool, new MasterKeys(NEW, [wrong]));

    await expect(rotation.rotate()).rejects.toThrow(MasterKeyRotationRefused);
    await expect(rotation.rotate()).rejects.toThrow(
      `wrapped under master key ${masterKeyId(OLD)}, which is neither CHRONICLE_MASTER_KEY (${masterKeyId(NEW)}) ` +
        'nor in CHRONICLE_PREVIOUS_MASTER_KEYS',
    );
    await expect(storeWith(NEW, [wrong]).personalData.verifyMasterKeys()).rejects.toThrow(
      `wrapped under master key ${masterKeyId(OLD)}`,
    );
    expect(await idsInUse()).toEqual([{ id: masterKeyId(OLD), keys: 1 }]);
    expect(await nameOf(storeWith(OLD), member)).toBe(`Name of ${member}`);
  });

  it('leaves a key erased between its read and its re-wrap erased', async () => {
    const members = await Promise.all([1, 2, 3, 4].map(() => join(storeWith(OLD))));
    const store = storeWith(NEW, [OLD]);
    const victim = members.sort()[3];
    // An erasure commits right before the batch holding the victim's key is written back.
    const erasingFirst = {
      query: async (text: string, values?: unknown[]) => {
        if (
          text.includes('UPDATE personal_data_keys k') &&
          (values?.[0] as string[]).includes(victim)
        )
          await store.personalData.erase([victim]);
        return pool.query(text, values);
      },
    } as unknown as pg.Pool;

    const result = await new MasterKeyRotation(erasingFirst, new MasterKeys(NEW, [OLD])).rotate({
      batchSize: 2,
    });

    expect(result).toMatchObject({ rewrapped: 3, changedMeanwhile: 1 });
    expect(result.status.erased).toBe(1);
    const { rows } = await pool.query(
      'SELECT wrapped_key, erased_at FROM personal_data_keys WHERE subject_id = $1',
      [victim],
    );
    expect(rows).toEqual([{ wrapped_key: null, erased_at: expect.any(Date) }]);
    expect(await nameOf(storeWith(NEW), victim)).toBe('[erased]');
  });
});

/** A key as wrapped before master keys had ids: version 1, nonce, encrypted key and tag. */
async function legacyWrapped(pool: pg.Pool, subject: string, master: KeyObject): Promise<Buffer> {
  const { rows } = await pool.query<{ wrapped_key: Buffer }>(
    'SELECT wrapped_key FROM personal_data_keys WHERE subject_id = $1',
    [subject],
  );
  const dataKey = new MasterKeys(master).unwrap(subject, rows[0].wrapped_key);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', master, iv);
  cipher.setAAD(Buffer.from(`chronicle:personal-data-key:v1\n${subject}`));
  const sealed = Buffer.concat([cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]);
  return Buffer.concat([Buffer.of(1), iv, sealed]);
}
