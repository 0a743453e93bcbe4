import { createSecretKey, randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { scratchDatabase, type ScratchDatabase } from '../../test/support/database.js';
import type { AggregateDefinition } from './aggregate.js';
import { EventSourcedRepository } from './event-sourced-repository.js';
import { PersonalDataErasedError, PersonalDataUnreadableError } from './event-store.errors.js';
import type { DomainEvent } from './event-store.types.js';
import { EventTypeRegistry } from './event-type-registry.js';
import { masterKeyId } from './master-keys.js';
import type { PersistedEvent } from './persisted-event.js';
import { PERSONAL_DATA_ERASED } from './personal-data.js';
import { PostgresEventStore } from './postgres-event-store.js';
import { PostgresSnapshotStore } from './postgres-snapshot-store.js';

type Joined = DomainEvent<'MemberJoined', { memberId: string; name: string; email: string }>;
type Renamed = DomainEvent<'MemberRenamed', { memberId: string; name: string }>;
type MemberEvent = Joined | Renamed;
type Member = { name?: string; renames: number };

const member: AggregateDefinition<Member, MemberEvent> = {
  streamType: 'member',
  initialState: () => ({ renames: 0 }),
  evolve: (state, event) => ({
    name: event.data.name,
    renames: state.renames + (event.type === 'MemberRenamed' ? 1 : 0),
  }),
  snapshot: {
    stateVersion: 1,
    every: 2,
    toSnapshot: (state) => ({ ...state }),
    fromSnapshot: (json) => json as Member,
  },
};

describe('personal data: encrypted per subject, erased by destroying the key', () => {
  const masterKey = createSecretKey(randomBytes(32));
  let scratch: ScratchDatabase;
  let pool: pg.Pool;
  let registry: EventTypeRegistry;
  let store: PostgresEventStore;

  beforeAll(async () => {
    // A database of its own: these keys are wrapped with a master key no app knows.
    scratch = await scratchDatabase();
    pool = scratch.pool;
    registry = new EventTypeRegistry();
    registry.register(
      { type: 'MemberJoined', personal: { subject: 'memberId', fields: ['name', 'email'] } },
      { type: 'MemberRenamed', personal: { subject: 'memberId', fields: ['name'] } },
      { type: 'MemberLeft' },
      {
        type: 'ParcelShipped',
        personal: {
          subject: (data) => (data.customer as { id: string }).id,
          fields: ['address.name', 'address.street', 'address.phone'],
        },
      },
    );
    store = new PostgresEventStore(pool, registry, { masterKey });
  });
  afterAll(() => scratch.drop());

  const joined = (memberId: string, name = 'Grace Hopper') => ({
    type: 'MemberJoined',
    data: { memberId, name, email: `${memberId}@example.org`, plan: 'gold' },
  });
  const rawData = async (streamId: string) =>
    (
      await pool.query<{ data: Record<string, unknown>; text: string }>(
        'SELECT data, data::text AS text FROM events WHERE stream_id = $1 ORDER BY stream_version',
        [streamId],
      )
    ).rows;
  const keyRow = async (subject: string) =>
    (
      await pool.query<{ wrapped_key: Buffer | null; erased_at: Date | null }>(
        'SELECT wrapped_key, erased_at FROM personal_data_keys WHERE subject_id = $1',
        [subject],
      )
    ).rows[0];

  it('stores the declared fields encrypted under a key created on first use, and every stream read decrypts them', async () => {
    const id = randomUUID();
    const streamId = `member-${id}`;
    const event = joined(id);
    const commandId = randomUUID();
    const appended = await store.append(streamId, [{ ...event, metadata: { commandId } }]);

    expect(appended.events[0].data).toEqual(event.data);
    const [row] = await rawData(streamId);
    expect(row.text).not.toContain('Grace Hopper');
    expect(row.text).not.toContain(event.data.email);
    expect(row.data).toEqual({
      memberId: id,
      plan: 'gold',
      $personal: {
        v: 1,
        subject: id,
        fields: ['name', 'email'],
        iv: expect.any(String),
        data: expect.any(String),
      },
    });
    const key = await keyRow(id);
    expect(key.erased_at).toBeNull();
    expect(key.wrapped_key).toHaveLength(1 + 8 + 12 + 32 + 16);

    expect((await store.readStream(streamId))[0].data).toEqual(event.data);
    expect(await store.readStreamForFold(streamId)).toEqual([
      {
        streamVersion: 1,
        type: 'MemberJoined',
        schemaVersion: 1,
        data: event.data,
        personalSubject: id,
      },
    ]);
    const found = await store.findAppendByCommand(streamId, commandId, appended.events[0].eventId);
    expect(found!.events[0].data).toEqual(event.data);
    const again = await store.append(streamId, [{ ...event, eventId: appended.events[0].eventId }]);
    expect(again).toMatchObject({ duplicate: true, events: [{ data: event.data }] });
  });

  it('leaves readAll as stored and reveals a batch with one key lookup', async () => {
    const ids: string[] = Array.from({ length: 5 }, () => randomUUID());
    for (const id of ids) await store.append(`member-${id}`, [joined(id, `Name ${id}`)]);
    const stored = (await store.readAll({ limit: 100_000 })).filter((e) =>
      ids.includes(e.data.memberId as string),
    );
    expect(stored).toHaveLength(5);
    expect(stored.every((e) => e.data.name === undefined && '$personal' in e.data)).toBe(true);

    let queries = 0;
    const counting = {
      query: (...args: Parameters<pg.Pool['query']>) => {
        queries += 1;
        return (pool.query as (...a: unknown[]) => unknown)(...args);
      },
    } as unknown as pg.Pool;
    const decrypted = await new PostgresEventStore(counting, registry, {
      masterKey,
    }).decryptPersonalData(stored);
    expect(decrypted.map((e) => e.data.name)).toEqual(ids.map((id) => `Name ${id}`));
    expect(queries).toBe(1);
  });

  it('encrypts nested fields for a subject a function finds, and leaves the rest in clear', async () => {
    const customerId = randomUUID();
    const streamId = `parcel-${randomUUID()}`;
    const data = {
      customer: { id: customerId },
      address: { name: 'Ada Byron', street: '12 St James Square', country: 'GB' },
    };
    await store.append(streamId, [{ type: 'ParcelShipped', data }]);

    const [row] = await rawData(streamId);
    expect(row.data.address).toEqual({ country: 'GB' });
    expect(row.text).not.toMatch(/Ada Byron|St James/);
    expect((await store.readStream(streamId))[0].data).toEqual(data);

    await store.erasePersonalData([customerId]);
    expect((await store.readStream(streamId))[0].data).toEqual({
      customer: { id: customerId },
      address: { name: PERSONAL_DATA_ERASED, street: PERSONAL_DATA_ERASED, country: 'GB' },
    });
  });

  it('reads erased personal data as the placeholder everywhere, and refuses new personal data of that subject', async () => {
    const id = randomUUID();
    const streamId = `member-${id}`;
    await store.append(streamId, [joined(id)]);
    await store.erasePersonalData([id], [streamId]);

    const placeholder = { memberId: id, plan: 'gold', name: '[erased]', email: '[erased]' };
    expect((await store.readStream(streamId))[0].data).toEqual(placeholder);
    // No personalSubject: nothing of the subject is in clear any more, so a snapshot of it needs no key.
    expect((await store.readStreamForFold(streamId))[0]).toEqual({
      streamVersion: 1,
      type: 'MemberJoined',
      schemaVersion: 1,
      data: placeholder,
    });
    const [fromLog] = await store.decryptPersonalData(
      (await store.readAll({ limit: 100_000 })).filter((e) => e.streamId === streamId),
    );
    expect(fromLog.data).toEqual(placeholder);

    const tombstone = await keyRow(id);
    expect(tombstone).toEqual({ wrapped_key: null, erased_at: expect.any(Date) });
    await store.erasePersonalData([id]);
    expect(await keyRow(id)).toEqual(tombstone);

    await expect(
      store.append(streamId, [{ type: 'MemberRenamed', data: { memberId: id, name: 'G. H.' } }]),
    ).rejects.toThrow(PersonalDataErasedError);
    await expect(
      store.append(streamId, [{ type: 'MemberLeft', data: { memberId: id } }]),
    ).resolves.toMatchObject({ version: 2 });
  });

  it('erases every spelling of the subject: an id once stored as the client cased it', async () => {
    const id = randomUUID();
    const [lower, upper] = [`member-${id}`, `member-${id.toUpperCase()}`];
    await store.append(lower, [joined(id)]);
    await store.append(upper, [joined(id.toUpperCase())]);
    const other = randomUUID();
    await store.append(`member-${other}`, [joined(other)]);

    await store.erasePersonalData([id]);

    expect((await store.readStream(upper))[0].data).toMatchObject({ name: PERSONAL_DATA_ERASED });
    expect((await store.readStream(lower))[0].data).toMatchObject({ name: PERSONAL_DATA_ERASED });
    expect(await keyRow(id.toUpperCase())).toEqual({
      wrapped_key: null,
      erased_at: expect.any(Date),
    });
    expect((await keyRow(other))?.wrapped_key).toBeInstanceOf(Buffer);
  });

  it('seals read-model values under the subject key, and opens them with the key row read alongside', async () => {
    const [id, erased] = [randomUUID(), randomUUID()];
    await store.erasePersonalData([erased]);
    const columns = store.personalData.columns;
    const address = { name: 'Grace Hopper', street: '1 Navy Way' };
    const [sealed, none] = await columns.seal(
      'members.address',
      [
        { subject: id, value: address },
        { subject: erased, value: address },
      ],
      pool,
    );
    expect(none).toBeNull();
    expect(sealed!.toString('latin1')).not.toContain('Hopper');
    const key = (await keyRow(id))!.wrapped_key;
    expect(columns.open('members.address', id, sealed!, key)).toEqual(address);

    // Erased: the value or the key gone; anything else that does not authenticate is an error, never garbage.
    expect(columns.open('members.address', id, null, key)).toBe(PERSONAL_DATA_ERASED);
    expect(columns.open('members.address', id, sealed!, null)).toBe(PERSONAL_DATA_ERASED);
    const tampered = Buffer.from(sealed!);
    tampered[20] ^= 1;
    for (const [column, subject, value, wrapped] of [
      ['members.address', id, tampered, key],
      ['members.name', id, sealed!, key],
      ['members.address', id, sealed!, undefined],
    ] as const)
      expect(() => columns.open(column, subject, value, wrapped)).toThrow(
        PersonalDataUnreadableError,
      );
    await store.erasePersonalData([id]);
    expect(columns.open('members.address', id, sealed!, (await keyRow(id))!.wrapped_key)).toBe(
      PERSONAL_DATA_ERASED,
    );
  });

  it('fails with a clear error on a tampered or moved ciphertext, never with garbage', async () => {
    const id = randomUUID();
    await store.append(`member-${id}`, [joined(id)]);
    const [{ data }] = await rawData(`member-${id}`);
    const sealed = data.$personal as { data: string };
    const bytes = Buffer.from(sealed.data, 'base64');
    bytes[0] ^= 1;
    const tampered = { ...data, $personal: { ...sealed, data: bytes.toString('base64') } };
    // Events are immutable: a forged row is appended instead, in this stream and in another one.
    const insert = (streamId: string, version: number, forged: Record<string, unknown>) =>
      pool.query(
        `INSERT INTO events (stream_id, stream_version, event_id, type, data)
         VALUES ($1, $2, gen_random_uuid(), 'MemberJoined', $3)`,
        [streamId, version, JSON.stringify(forged)],
      );
    await insert(`member-${id}`, 2, tampered);
    await insert(`member-${randomUUID()}`, 1, data);

    await expect(store.readStream(`member-${id}`)).rejects.toThrow(PersonalDataUnreadableError);
    await expect(store.readStream(`member-${id}`)).rejects.toThrow(
      `Personal data of MemberJoined in member-${id} cannot be decrypted: its ciphertext failed authentication`,
    );
    // The global read stops before transactions still open on the server (other databases' too, on a shared
    // server): the forged row shows once they are over.
    let moved: PersistedEvent[] = [];
    const deadline = Date.now() + 10_000;
    while (moved.length === 0 && Date.now() < deadline) {
      moved = (await store.readAll({ limit: 100_000 })).filter(
        (e) => e.streamId !== `member-${id}` && e.data.memberId === id,
      );
      if (moved.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(moved).toHaveLength(1);
    await expect(store.decryptPersonalData(moved)).rejects.toThrow(/failed authentication/);
  });

  it('fails with a clear error under another master key, at start-up already', async () => {
    const id = randomUUID();
    await store.append(`member-${id}`, [joined(id)]);
    const other = new PostgresEventStore(pool, registry, {
      masterKey: createSecretKey(randomBytes(32)),
    });

    await expect(other.readStream(`member-${id}`)).rejects.toThrow(
      `Personal data of MemberJoined in member-${id} cannot be decrypted: the key of subject ${id} ` +
        `is wrapped under master key ${masterKeyId(masterKey)}, which is neither CHRONICLE_MASTER_KEY ` +
        'nor in CHRONICLE_PREVIOUS_MASTER_KEYS',
    );
    await expect(other.personalData.verifyMasterKeys()).rejects.toThrow(
      `Personal-data keys in this database are wrapped under master key ${masterKeyId(masterKey)}, ` +
        'which is neither CHRONICLE_MASTER_KEY',
    );
    await expect(store.personalData.verifyMasterKeys()).resolves.toBeUndefined();
    await expect(new PostgresEventStore(pool, registry).readStream(`member-${id}`)).rejects.toThrow(
      /no master key/,
    );
  });

  it('fails when the key row of sealed data is gone instead of erased', async () => {
    const id = randomUUID();
    await store.append(`member-${id}`, [joined(id)]);
    await pool.query('DELETE FROM personal_data_keys WHERE subject_id = $1', [id]);
    await expect(store.readStream(`member-${id}`)).rejects.toThrow(
      `no key is stored for subject ${id}`,
    );
  });

  it('masks data stored in clear before encryption existed once its subject is erased, though the row keeps it', async () => {
    const id = randomUUID();
    const streamId = `member-${id}`;
    await pool.query(
      `INSERT INTO events (stream_id, stream_version, event_id, type, data)
       VALUES ($1, 1, gen_random_uuid(), 'MemberJoined', $2)`,
      [streamId, JSON.stringify({ memberId: id, name: 'Old Timer', email: 'old@example.org' })],
    );
    expect((await store.readStream(streamId))[0].data.name).toBe('Old Timer');

    await store.erasePersonalData([id], [streamId]);
    expect((await store.readStream(streamId))[0].data).toEqual({
      memberId: id,
      name: PERSONAL_DATA_ERASED,
      email: PERSONAL_DATA_ERASED,
    });
    // The limitation: immutable rows written in clear keep the clear text.
    expect((await rawData(streamId))[0].text).toContain('Old Timer');
  });

  it('gives concurrent first appends for one subject one key', async () => {
    const id = randomUUID();
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => store.append(`member-${id}-${i}`, [joined(id)])),
    );
    const { rows } = await pool.query('SELECT 1 FROM personal_data_keys WHERE subject_id = $1', [
      id,
    ]);
    expect(rows).toHaveLength(1);
    for (let i = 0; i < 8; i++)
      expect((await store.readStream(`member-${id}-${i}`))[0].data.name).toBe('Grace Hopper');
  });

  describe('snapshots', () => {
    let repository: EventSourcedRepository<Member, MemberEvent>;
    const snapshots = () => new PostgresSnapshotStore(pool);
    const rename = (id: string, name: string) => (): MemberEvent[] => [
      { type: 'MemberRenamed', data: { memberId: id, name } },
    ];

    beforeAll(() => {
      repository = new EventSourcedRepository({
        store,
        publisher: { publishAll: () => undefined },
        definition: member,
        snapshots: { store: snapshots(), every: 2 },
      });
    });

    it('seals a snapshot holding personal data under its subject key, and loads from it', async () => {
      const id = randomUUID();
      await repository.update(id, () => [
        { type: 'MemberJoined', data: { memberId: id, name: 'Grace Hopper', email: 'g@h.org' } },
      ]);
      await repository.update(id, rename(id, 'Rear Admiral Hopper'));

      const snapshot = await snapshots().read(`member-${id}`);
      expect(snapshot).toMatchObject({ version: 2, state: { $personal: { subjects: [id] } } });
      expect(JSON.stringify(snapshot)).not.toContain('Hopper');
      const loaded = await repository.load(id);
      expect(loaded).toMatchObject({ version: 2, snapshotVersion: 2 });
      expect(loaded.state).toEqual({ name: 'Rear Admiral Hopper', renames: 1 });
    });

    it('deletes the erased stream’s snapshot; one elsewhere sealed under the erased key is ignored', async () => {
      const id = randomUUID();
      const other = `${id}-twin`;
      const joinedAs = (memberId: string) => (): MemberEvent[] => [
        { type: 'MemberJoined', data: { memberId: id, name: `Twin ${memberId}`, email: 'x@y.z' } },
      ];
      for (const streamOf of [id, other]) {
        await repository.update(streamOf, joinedAs(streamOf));
        await repository.update(streamOf, rename(id, 'Grace'));
      }
      expect(await snapshots().read(`member-${other}`)).toBeDefined();

      await repository.update(id, () => [], { erasePersonalDataOf: [id] });

      expect(await snapshots().read(`member-${id}`)).toBeUndefined();
      const twin = await repository.load(other);
      expect(twin).toMatchObject({ snapshotVersion: 0, version: 2 });
      expect(twin.state).toEqual({ name: PERSONAL_DATA_ERASED, renames: 1 });
      expect((await repository.load(id)).state).toEqual({ name: PERSONAL_DATA_ERASED, renames: 1 });
    });
  });
});
