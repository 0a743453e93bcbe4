import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, type INestApplicationContext } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { CapturingLogger, Test } from '@nestjs/testing';
import type { EntityManager } from 'typeorm';
import { scratchDatabase, storeOn, type ScratchDatabase } from '../../test/support/database.js';
import { eventually } from '../../test/support/eventually.js';
import { testConfig } from '../../test/support/test-app.js';
import { OpenAccountCommand } from '../accounts/index.js';
import { AppModule } from '../app.module.js';
import { EventTypeRegistry } from '../event-store/event-type-registry.js';
import type { PersistedEvent } from '../event-store/persisted-event.js';
import type { PostgresEventStore } from '../event-store/postgres-event-store.js';
import { ProjectionRunner } from './projection-runner.service.js';
import { Projection, type ReadModel } from './processor.js';

const NAME = 'ops-probe';
// The failures these tests provoke are asserted here, not printed (Nest's testing logger prints errors).
const logger = new CapturingLogger();
const behaviour = { broken: false, gate: undefined as Promise<void> | undefined };

/** Writes one row per event; fails on `poison` events while broken; waits on `gate` inside a rebuild. */
@Projection(NAME)
@Injectable()
class OpsProbeProjection implements ReadModel {
  readonly eventTypes = ['Probed'];
  readonly tables = ['ops_probe'];

  constructor(registry: EventTypeRegistry) {
    registry.register({ type: 'Probed' });
  }

  async apply(events: readonly PersistedEvent[], tx: EntityManager): Promise<void> {
    const [{ schema }] = await tx.query('SELECT (current_schemas(false))[1] AS schema');
    if (schema !== 'public' && behaviour.gate) await behaviour.gate;
    for (const event of events) {
      if (behaviour.broken && event.data.poison) throw new Error(`cannot apply ${event.data.n}`);
    }
    await tx.query(
      'INSERT INTO ops_probe (n, position) SELECT * FROM unnest($1::int[], $2::bigint[])',
      [events.map((e) => e.data.n), events.map((e) => e.globalPosition)],
    );
  }
}

describe('Operating projections', () => {
  let scratch: ScratchDatabase;
  let store: PostgresEventStore;
  const apps: INestApplicationContext[] = [];

  async function boot(pollMs = 200): Promise<INestApplicationContext> {
    const config = testConfig();
    const moduleRef = await Test.createTestingModule({
      imports: [
        AppModule.forRoot({
          ...config,
          projections: { ...config.projections, pollMs },
          databaseUrl: scratch.url,
        }),
      ],
      providers: [OpsProbeProjection],
    })
      .setLogger(logger)
      .compile();
    const app = await moduleRef.init();
    apps.push(app);
    return app;
  }

  beforeAll(async () => {
    scratch = await scratchDatabase();
    await scratch.pool.query(
      'CREATE TABLE ops_probe (n int PRIMARY KEY, position bigint NOT NULL)',
    );
    await scratch.pool.query('CREATE INDEX ops_probe_by_position ON ops_probe (position)');
    store = storeOn(scratch.pool, 'Probed');
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await scratch.drop();
  });

  const probed = (n: number, poison = false) => ({ type: 'Probed', data: { n, poison } });
  const rows = async () =>
    (await scratch.pool.query('SELECT n FROM ops_probe ORDER BY n')).rows.map((r) => r.n);
  const rows13 = async () =>
    (await scratch.pool.query('SELECT n FROM ops_probe WHERE n = 13')).rows;
  const openAccount = (app: INestApplicationContext, accountId: string) =>
    app.get(CommandBus).execute(
      new OpenAccountCommand(
        {
          accountId,
          ownerName: 'Grace Hopper',
          currency: 'EUR',
          initialDeposit: 100,
          ownerId: randomUUID(),
        },
        { commandId: randomUUID() },
      ),
    );
  /** Within 3 s: well before any poll of the instances these tests boot with a 60 s poll. */
  const balanceShows = (accountId: string, balance: number) =>
    eventually(async () => {
      const { rows: found } = await scratch.pool.query(
        'SELECT balance::int FROM account_balances WHERE id = $1',
        [accountId],
      );
      expect(found).toEqual([{ balance }]);
    }, 3000);
  const statusOf = async (app: INestApplicationContext) =>
    (await app.get(ProjectionRunner).status()).find((p) => p.name === NAME)!;

  it('isolates the failing event of a batch, dead-letters it, and resumes there on retry', async () => {
    const app = await boot();
    behaviour.broken = true;
    const { events } = await store.append(
      'probe-1',
      [1, 2, 3, 4, 5].map((n) => probed(n, n === 3)),
    );

    await eventually(async () => expect((await statusOf(app)).status).toBe('failed'));
    expect(await rows()).toEqual([1, 2]);
    expect((await statusOf(app)).lastError).toBe(
      `event ${events[2].globalPosition} (Probed): cannot apply 3`,
    );
    await sleep(300);
    expect(await rows()).toEqual([1, 2]);
    const failures = logger.filter({ level: 'error', context: 'ProjectionRunner', message: NAME });
    expect(failures.length).toBeGreaterThan(0);
    expect(
      failures.every((f) => /Projection ops-probe failed: cannot apply 3/.test(String(f.message))),
    ).toBe(true);

    behaviour.broken = false;
    await app.get(ProjectionRunner).retry(NAME);
    await eventually(async () => expect(await rows()).toEqual([1, 2, 3, 4, 5]));
    await eventually(async () => expect((await statusOf(app)).status).toBe('live'));
    expect(await app.get(ProjectionRunner).deadLetters(NAME)).toEqual([
      expect.objectContaining({ position: events[2].globalPosition, resolution: 'retried' }),
    ]);
  });

  it('skips exactly the one dead-lettered event when told to, and records it', async () => {
    const app = apps[0];
    const runner = app.get(ProjectionRunner);
    behaviour.broken = true;
    const { events } = await store.append('probe-2', [probed(6, true), probed(7)]);
    await eventually(async () => expect((await statusOf(app)).status).toBe('failed'));

    await expect(runner.skip(NAME, events[1].globalPosition)).rejects.toThrow(/nothing to skip/);
    await runner.skip(NAME, events[0].globalPosition);
    await eventually(async () => expect(await rows()).toEqual([1, 2, 3, 4, 5, 7]));
    expect((await runner.deadLetters(NAME))[0]).toMatchObject({
      position: events[0].globalPosition,
      resolution: 'skipped',
    });
    behaviour.broken = false;
  });

  it('rebuilds into shadow tables while queries read the old ones, then swaps them in', async () => {
    const app = apps[0];
    const runner = app.get(ProjectionRunner);
    let open!: () => void;
    behaviour.gate = new Promise<void>((resolve) => (open = resolve));

    const { done } = await runner.startRebuild(NAME);
    await eventually(async () => expect((await statusOf(app)).status).toBe('rebuilding'));
    await expect(runner.startRebuild(NAME)).rejects.toThrow(/already being rebuilt/);
    // The rebuild's first batch is held open: the live tables still answer, complete.
    expect(await rows()).toEqual([1, 2, 3, 4, 5, 7]);
    await store.append('probe-3', [probed(8)]);
    expect(await rows()).toEqual([1, 2, 3, 4, 5, 7]);

    open();
    await done;
    behaviour.gate = undefined;
    // The skipped event 6 applies cleanly now: a rebuild is a fold of the whole log.
    await eventually(async () => expect(await rows()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]));
    const indexes = await scratch.pool.query(
      `SELECT indexname FROM pg_indexes WHERE tablename = 'ops_probe' ORDER BY indexname`,
    );
    expect(indexes.rows.map((r) => r.indexname)).toEqual([
      'ops_probe_by_position',
      'ops_probe_pkey',
    ]);
    const schemas = await scratch.pool.query(
      `SELECT nspname FROM pg_namespace WHERE nspname LIKE 'chronicle_rebuild%'`,
    );
    expect(schemas.rows).toEqual([]);
    await store.append('probe-4', [probed(9)]);
    await eventually(async () => expect(await rows()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]));
  });

  it('runs a projection in one instance at a time and fails over when it stops', async () => {
    const first = apps[0];
    const second = await boot();
    await sleep(400);
    const owner = (await statusOf(second)).owner;
    expect(owner?.instance).toContain(`:${process.pid}`);
    const firstProcessed = (await statusOf(first)).processed;

    await store.append('probe-5', [probed(10)]);
    await eventually(async () => expect((await rows()).at(-1)).toBe(10));
    expect((await statusOf(second)).processed).toBe(0);
    expect((await statusOf(first)).processed).toBe(firstProcessed + 1);

    await first.close();
    apps.splice(apps.indexOf(first), 1);
    await store.append('probe-6', [probed(11)]);
    await eventually(async () => expect((await rows()).at(-1)).toBe(11));
    expect((await statusOf(second)).processed).toBe(1);
  });

  it('names the backend whose open transaction holds committed events back', async () => {
    const app = apps[0];
    const holder = await scratch.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_current_xact_id()');
      const [{ pid }] = (await holder.query('SELECT pg_backend_pid() AS pid')).rows;
      await store.append('probe-7', [probed(12)]);

      await eventually(async () =>
        expect(await statusOf(app)).toMatchObject({
          lagEvents: 1,
          horizonHeldBy: { pid, state: 'idle in transaction' },
        }),
      );
      expect(await rows()).not.toContain(12);
      await holder.query('COMMIT');
      await eventually(async () => expect(await rows()).toContain(12));
      expect(await statusOf(app)).toMatchObject({ lagEvents: 0, horizonHeldBy: null });
    } finally {
      holder.release();
    }
  });

  it('wakes the lease holder in another instance by NOTIFY, not by its poll', async () => {
    for (const app of apps.splice(0)) await app.close();
    const holder = await boot(60_000);
    await sleep(300);
    const other = await boot(60_000);
    expect((await statusOf(other)).owner?.instance).toBe((await statusOf(holder)).owner?.instance);
    const accountId = randomUUID();

    await openAccount(other, accountId);

    await balanceShows(accountId, 100);
  });

  it('catches up with a commit of another instance that an open transaction hid when its NOTIFY came', async () => {
    for (const app of apps.splice(0)) await app.close();
    await boot(60_000); // takes the leases
    await sleep(300);
    const other = await boot(60_000);
    const blocker = await scratch.pool.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT pg_current_xact_id()'); // older than the commit below: hides it
      const accountId = randomUUID();

      await openAccount(other, accountId);
      await sleep(200); // the NOTIFY has come and the read found nothing yet
      await blocker.query('COMMIT');

      await balanceShows(accountId, 100); // the notice's checkpoint made it look again, not its 60 s poll
    } finally {
      blocker.release();
    }
  });

  it('wakes only the projections that read a committed type; the others pass over it at their poll', async () => {
    for (const app of apps.splice(0)) await app.close();
    const app = await boot(60_000);
    await eventually(async () => {
      const status = await statusOf(app);
      expect([status.status, status.checkpoint.position]).toEqual(['live', status.headPosition]);
    });
    // The runs that starting up asked for (the lease taken, the first poll) are over before the commit.
    await sleep(300);
    const before = (await statusOf(app)).checkpoint;
    const accountId = randomUUID();

    await openAccount(app, accountId);

    await balanceShows(accountId, 100);
    const probe = await statusOf(app);
    expect(probe.checkpoint).toEqual(before); // not woken: nothing it reads was committed
    expect(probe.headPosition).toBeGreaterThan(before.position);
    expect(probe).toMatchObject({ lagEvents: 0, lagMs: 0 }); // and nothing of its types waits

    const runner = app.get(ProjectionRunner);
    runner.notify(); // what its poll does
    await eventually(async () =>
      expect((await statusOf(app)).checkpoint.position).toBe(probe.headPosition),
    );
  });

  it('dead-letters an event stored at a version no upcaster reaches, naming type and version', async () => {
    for (const app of apps.splice(0)) await app.close();
    const app = await boot();
    const { rows } = await scratch.pool.query(
      `INSERT INTO events (stream_id, stream_version, event_id, type, schema_version, data)
       VALUES ('probe-from-the-future', 1, gen_random_uuid(), 'Probed', 9, '{"n": 13}')
       RETURNING global_position`,
    );
    const position = Number(rows[0].global_position);

    await eventually(async () =>
      expect(await statusOf(app)).toMatchObject({
        status: 'failed',
        lastError:
          `event ${position} (Probed): No way to read event type "Probed" stored at schema version 9: ` +
          'no upcaster path to the current version 1',
      }),
    );
    expect(await rows13()).toEqual([]);
    expect(
      logger.filter({
        level: 'error',
        message: /No way to read event type "Probed" stored at schema version 9/,
      }),
    ).not.toHaveLength(0);
    expect((await app.get(ProjectionRunner).deadLetters(NAME))[0]).toMatchObject({
      position,
      eventType: 'Probed',
      resolution: null,
    });
  });
});
