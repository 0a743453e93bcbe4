import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { migratedPool } from '../../../test/support/database.js';
import { developmentMasterKey } from '../../config/config.js';
import {
  EventSourcedRepository,
  EventTypeRegistry,
  PERSONAL_DATA_ERASED,
  PostgresEventStore,
  PostgresSnapshotStore,
} from '../../event-store/index.js';
import { snapshottedAccountDefinition } from '../account.snapshot.js';
import {
  accountDefinition,
  deposit,
  erasePersonalData,
  open,
  withdraw,
} from '../domain/account.js';
import { ACCOUNT_EVENT_DEFINITIONS } from '../domain/account.events.js';
import { GetAccountAsOfHandler } from './get-account-as-of/get-account-as-of.handler.js';
import { GetAccountAsOfQuery } from './get-account-as-of/get-account-as-of.query.js';
import { GetAccountHistoryHandler } from './get-account-history/get-account-history.handler.js';
import { GetAccountHistoryQuery } from './get-account-history/get-account-history.query.js';

const EVERY = 5;

/** Counts the events each time-travel request reads. */
class CountingStore extends PostgresEventStore {
  read = 0;
  override async readStream(...args: Parameters<PostgresEventStore['readStream']>) {
    const events = await super.readStream(...args);
    this.read += events.length;
    return events;
  }
}

describe('time travel and history from the nearest snapshot equal a fold of the whole stream', () => {
  let pool: pg.Pool;
  let store: CountingStore;
  let snapshots: PostgresSnapshotStore;
  let repository: EventSourcedRepository<
    ReturnType<typeof accountDefinition.initialState>,
    Parameters<typeof accountDefinition.evolve>[1]
  >;
  const handlers = (snapshotEvery: number) => ({
    asOf: new GetAccountAsOfHandler(store, snapshots, { snapshotEvery }),
    history: new GetAccountHistoryHandler(store, snapshots, { snapshotEvery }),
  });
  const fromSnapshots = () => handlers(EVERY);
  /** Snapshots off: every request folds the stream from its first event. */
  const fullFold = () => handlers(0);

  beforeAll(async () => {
    pool = await migratedPool(4);
    const registry = new EventTypeRegistry();
    registry.register(...ACCOUNT_EVENT_DEFINITIONS);
    // The test app's key: the suites of a run share one database, and the app checks its keys at start-up.
    store = new CountingStore(pool, registry, { masterKey: developmentMasterKey() });
    snapshots = new PostgresSnapshotStore(pool);
    repository = new EventSourcedRepository({
      store,
      publisher: { publishAll: () => undefined },
      definition: snapshottedAccountDefinition,
      snapshots: { store: snapshots, every: EVERY },
    });
  });
  afterAll(() => pool.end());

  /** Opens an account and runs `commands` deposits and withdrawals (some refused), a few ms apart. */
  async function account(commands: number): Promise<string> {
    const id = randomUUID();
    await repository.update(id, (s) =>
      open(s, {
        accountId: id,
        ownerName: 'Ada Lovelace',
        currency: 'EUR',
        initialDeposit: 100,
        ownerId: randomUUID(),
      }),
    );
    await more(id, commands);
    return id;
  }
  async function more(id: string, commands: number) {
    for (let i = 0; i < commands; i++) {
      await sleep(2);
      await repository.update(id, (s) =>
        i % 3 === 2
          ? withdraw(s, { accountId: id, amount: 40 + 10 * (i % 7) })
          : deposit(s, { accountId: id, amount: 7 + i, source: 'card' }),
      );
    }
  }

  const outcome = async (run: () => Promise<unknown>) => {
    try {
      return { answer: await run() };
    } catch (error) {
      const refusal = error as { code?: string; details?(): unknown };
      return { refused: refusal.code, details: refusal.details?.() ?? String(error) };
    }
  };
  const snapshotVersions = async (id: string) =>
    (
      await pool.query<{ stream_version: number }>(
        'SELECT stream_version FROM snapshots WHERE stream_id = $1 ORDER BY stream_version',
        [`account-${id}`],
      )
    ).rows.map((r) => r.stream_version);
  const recordedTimes = async (id: string) =>
    (await store.readStream(`account-${id}`)).map((e) => e.recordedAt.getTime());

  /** Every version (and the one past the head), and instants at, just before and after every event. */
  async function expectEveryTargetToMatch(id: string) {
    const times = await recordedTimes(id);
    const versions = Array.from({ length: times.length + 2 }, (_, i) => i + 1);
    const instants = [
      times[0] - 60_000,
      ...times.flatMap((t) => [t - 1, t, t + 1]),
      Date.now() + 1e6,
    ];
    const points = [
      ...versions.map((atVersion) => ({ atVersion })),
      ...instants.map((t) => ({ asOf: new Date(t) })),
    ];
    for (const point of points) {
      const query = new GetAccountAsOfQuery(id, point);
      const ours = await outcome(() => fromSnapshots().asOf.execute(query));
      const expected = await outcome(() => fullFold().asOf.execute(query));
      expect({ point, ...ours }).toEqual({ point, ...expected });
    }
    for (const fromVersion of versions)
      for (const limit of [1, 3, EVERY + 2]) {
        const query = new GetAccountHistoryQuery({ accountId: id, fromVersion, limit });
        const ours = await outcome(() => fromSnapshots().history.execute(query));
        const expected = await outcome(() => fullFold().history.execute(query));
        expect({ fromVersion, limit, ...ours }).toEqual({ fromVersion, limit, ...expected });
      }
  }

  /** How many events a request reads. */
  async function eventsRead(run: () => Promise<unknown>) {
    store.read = 0;
    await run();
    return store.read;
  }

  it('at every version and instant, before the first snapshot, at snapshot versions and between them', async () => {
    const id = await account(40);
    const versions = await snapshotVersions(id);
    expect(versions.length).toBeGreaterThanOrEqual(7);
    expect(versions[0]).toBeGreaterThan(1);

    await expectEveryTargetToMatch(id);
  });

  it('reads about SNAPSHOT_EVERY events per request, wherever the target is in the stream', async () => {
    const id = await account(60);
    const head = (await recordedTimes(id)).length;
    const { asOf, history } = fromSnapshots();

    for (const atVersion of [head, Math.floor(head / 2), EVERY * 3])
      expect(
        await eventsRead(() => asOf.execute(new GetAccountAsOfQuery(id, { atVersion }))),
      ).toBeLessThanOrEqual(EVERY + 2);
    const now = { asOf: new Date(Date.now() + 1000) };
    expect(
      await eventsRead(() => asOf.execute(new GetAccountAsOfQuery(id, now))),
    ).toBeLessThanOrEqual(EVERY + 2);
    expect(
      await eventsRead(() =>
        history.execute(
          new GetAccountHistoryQuery({ accountId: id, fromVersion: head - 10, limit: 3 }),
        ),
      ),
    ).toBeLessThanOrEqual(EVERY + 3 + 1);
    // The reference reads the whole stream up to the target.
    expect(await eventsRead(() => fullFold().asOf.execute(new GetAccountAsOfQuery(id, now)))).toBe(
      head,
    );
  });

  it('after an erasure: the name reads erased at every target, old and new snapshots alike', async () => {
    const id = await account(20);
    await repository.update(id, (s) => erasePersonalData(s, { accountId: id }), {
      erasePersonalDataOf: [id],
    });
    const erasedAt = (await recordedTimes(id)).length;
    await more(id, 15);
    expect((await snapshotVersions(id)).every((v) => v > erasedAt)).toBe(true);

    await expectEveryTargetToMatch(id);
    const past = await fromSnapshots().asOf.execute(new GetAccountAsOfQuery(id, { atVersion: 3 }));
    expect(past.ownerName).toBe(PERSONAL_DATA_ERASED);
  });

  it('after an erasure deleted the snapshots, the first request writes those it passes, without the name', async () => {
    const id = await account(40);
    await repository.update(id, (s) => erasePersonalData(s, { accountId: id }), {
      erasePersonalDataOf: [id],
    });
    expect(await snapshotVersions(id)).toEqual([]);
    const { asOf } = fromSnapshots();
    const query = new GetAccountAsOfQuery(id, { atVersion: 33 });

    expect(await eventsRead(() => asOf.execute(query))).toBe(33);

    expect(await snapshotVersions(id)).toEqual([5, 10, 15, 20, 25, 30]);
    expect(await eventsRead(() => asOf.execute(query))).toBeLessThanOrEqual(EVERY + 2);
    const { rows } = await pool.query('SELECT state::text FROM snapshots WHERE stream_id = $1', [
      `account-${id}`,
    ]);
    expect(
      rows.every(
        (r) => !r.state.includes('Ada Lovelace') && r.state.includes(PERSONAL_DATA_ERASED),
      ),
    ).toBe(true);
    await expectEveryTargetToMatch(id);
  });

  it('writes the snapshots missing below the latest sealed under the subject key', async () => {
    const id = await account(40);
    // As a stream snapshotted before older snapshots were kept: only its latest.
    await pool.query(
      `DELETE FROM snapshots WHERE stream_id = $1
       AND stream_version < (SELECT max(stream_version) FROM snapshots WHERE stream_id = $1)`,
      [`account-${id}`],
    );
    const { history } = fromSnapshots();

    expect(
      await eventsRead(() =>
        history.execute(new GetAccountHistoryQuery({ accountId: id, fromVersion: 21, limit: 5 })),
      ),
    ).toBe(26);

    expect(await snapshotVersions(id)).toEqual(expect.arrayContaining([5, 10, 15, 20]));
    const { rows } = await pool.query(
      `SELECT state FROM snapshots WHERE stream_id = $1 AND stream_version IN (5, 10, 15, 20)`,
      [`account-${id}`],
    );
    for (const { state } of rows) {
      expect(state).toEqual({ $personal: expect.objectContaining({ subjects: [id] }) });
      expect(JSON.stringify(state)).not.toContain('Ada Lovelace');
    }
    expect(
      await eventsRead(() =>
        history.execute(new GetAccountHistoryQuery({ accountId: id, fromVersion: 21, limit: 5 })),
      ),
    ).toBeLessThanOrEqual(EVERY + 5 + 1);
    await expectEveryTargetToMatch(id);
  });

  it('skips a snapshot that an event recorded out of order lies beyond, for an instant before that event', async () => {
    const id = await account(3);
    const head = (await recordedTimes(id)).length;
    const inAnHour = new Date(Date.now() + 3600_000);
    // Version head+1 carries a later time than the ones after it, as a long explicit transaction would write.
    await pool.query(
      `INSERT INTO events (stream_id, stream_version, event_id, type, schema_version, data, recorded_at)
       SELECT $1, $2 + v, gen_random_uuid(), 'MoneyDeposited', 2,
         jsonb_build_object('accountId', $3::text, 'amount', v, 'source', 'cash'),
         CASE WHEN v = 1 THEN $4::timestamptz ELSE now() END
       FROM generate_series(1, $5::int) AS v`,
      [`account-${id}`, head, id, inAnHour, EVERY],
    );
    await more(id, EVERY);
    const versions = await snapshotVersions(id);
    expect(versions.at(-1)).toBeGreaterThan(head + 1);

    const soon = new GetAccountAsOfQuery(id, { asOf: new Date(Date.now() + 60_000) });
    const ours = await fromSnapshots().asOf.execute(soon);
    expect(ours).toEqual(await fullFold().asOf.execute(soon));
    expect(ours.version).toBe(head);
    await expectEveryTargetToMatch(id);
  });
});
