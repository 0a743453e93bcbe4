import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { migratedPool } from '../../test/support/database.js';
import type { AggregateDefinition } from './aggregate.js';
import { EventSourcedRepository } from './event-sourced-repository.js';
import { UnknownEventTypeError } from './event-store.errors.js';
import type { DomainEvent } from './event-store.types.js';
import { EventTypeRegistry } from './event-type-registry.js';
import type { PersistedEvent } from './persisted-event.js';
import { PostgresEventStore } from './postgres-event-store.js';

/** v1 stored `{ n }`; v2 renamed it to `{ by }`. */
type Incremented = DomainEvent<'Incremented', { by: number }>;
const counter: AggregateDefinition<{ count: number }, Incremented> = {
  streamType: 'upcounter',
  initialState: () => ({ count: 0 }),
  evolve: (state, event) => ({ count: state.count + event.data.by }),
};

describe('upcasting stored events', () => {
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let repository: EventSourcedRepository<{ count: number }, Incremented>;

  beforeAll(async () => {
    pool = await migratedPool();
    const registry = new EventTypeRegistry();
    registry.register({
      type: 'Incremented',
      schemaVersion: 2,
      upcasters: { 1: ({ n, ...rest }) => ({ ...rest, by: n }) },
    });
    store = new PostgresEventStore(pool, registry);
    repository = new EventSourcedRepository({
      store,
      publisher: { publishAll: () => undefined },
      definition: counter,
    });
  });
  afterAll(() => pool.end());

  /** Rows exactly as an older release wrote them. */
  const insertRaw = (streamId: string, rows: Array<[string, number, Record<string, unknown>]>) =>
    pool.query(
      `INSERT INTO events (stream_id, stream_version, event_id, type, schema_version, data)
       SELECT $1, ord, gen_random_uuid(), t, s, d
       FROM unnest($2::text[], $3::smallint[], $4::jsonb[]) WITH ORDINALITY AS r(t, s, d, ord)`,
      [
        streamId,
        rows.map((r) => r[0]),
        rows.map((r) => r[1]),
        rows.map((r) => JSON.stringify(r[2])),
      ],
    );

  it('folds events stored at an old version through the upcasters and writes new ones at the current version', async () => {
    const id = randomUUID();
    await insertRaw(`upcounter-${id}`, [
      ['Incremented', 1, { n: 2 }],
      ['Incremented', 2, { by: 3 }],
      ['Incremented', 1, { n: 5 }],
    ]);

    expect((await repository.load(id)).state).toEqual({ count: 10 });
    await repository.update(id, () => [{ type: 'Incremented', data: { by: 1 } }]);

    const stored = await store.readStream(`upcounter-${id}`);
    expect(stored.map((e) => [e.schemaVersion, e.data])).toEqual([
      [1, { n: 2 }],
      [2, { by: 3 }],
      [1, { n: 5 }],
      [2, { by: 1 }],
    ]);
    expect((await repository.load(id)).state).toEqual({ count: 11 });
  });

  it('leaves the global log as stored: its readers upcast the types they subscribe to', async () => {
    const id = randomUUID();
    await insertRaw(`upcounter-${id}`, [['Incremented', 1, { n: 7 }]]);

    // readAll holds back events behind transactions still running elsewhere: poll until it is past ours.
    let event: PersistedEvent | undefined;
    for (let tries = 0; !event && tries < 200; tries++) {
      if (tries > 0) await sleep(25);
      const log = await store.readAll({ limit: 1_000_000 });
      event = log.find((e) => e.streamId === `upcounter-${id}`);
    }

    expect(event).toMatchObject({ schemaVersion: 1, data: { n: 7 } });
    expect(store.registry.upcast(event!)).toMatchObject({ schemaVersion: 2, data: { by: 7 } });
  });

  it.each([
    [
      'an unknown type',
      'Vanished',
      1,
      /Unknown event type "Vanished" \(stored at schema version 1\)/,
    ],
    [
      'a version with no upcaster path',
      'Incremented',
      3,
      /"Incremented" stored at schema version 3: no upcaster path to the current version 2/,
    ],
  ])(
    'refuses to load an aggregate over %s, naming the type and the stored version',
    async (_, type, version, message) => {
      const id = randomUUID();
      await insertRaw(`upcounter-${id}`, [
        ['Incremented', 2, { by: 1 }],
        [type, version, { by: 1 }],
      ]);

      const error = await repository.load(id).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(UnknownEventTypeError);
      expect((error as Error).message).toMatch(message);
      expect(error).toMatchObject({ eventType: type, schemaVersion: version });
    },
  );
});
