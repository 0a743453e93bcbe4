import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, type INestApplicationContext } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { CapturingLogger, Test } from '@nestjs/testing';
import type pg from 'pg';
import { migratedPool, storeOn } from '../../test/support/database.js';
import { eventually } from '../../test/support/eventually.js';
import { testConfig, testDatabaseUrl } from '../../test/support/test-app.js';
import { ACCOUNT_EVENT_TYPES } from '../accounts/index.js';
import { AppModule } from '../app.module.js';
import { EventTypeRegistry } from '../event-store/event-type-registry.js';
import type { PersistedEvent } from '../event-store/persisted-event.js';
import type { PostgresEventStore } from '../event-store/postgres-event-store.js';
import { ProjectionRunner } from './projection-runner.service.js';
import { Projection, type ReadModel } from './processor.js';

const PROBE = `probe-${randomUUID()}`;
const POISONED = `poisoned-${randomUUID()}`;
const applied: string[] = [];
const logger = new CapturingLogger();

/** Records every event the runner hands it, across app restarts. */
@Projection(PROBE)
@Injectable()
class ProbeProjection implements ReadModel {
  readonly eventTypes = ACCOUNT_EVENT_TYPES;
  readonly tables = [];

  async apply(events: readonly PersistedEvent[]): Promise<void> {
    applied.push(...events.map((event) => event.eventId));
  }
}

@Projection(POISONED)
@Injectable()
class PoisonedProjection implements ReadModel {
  readonly eventTypes = ['Poisoned'];
  readonly tables = [];

  constructor(registry: EventTypeRegistry) {
    registry.register({ type: 'Poisoned' });
  }

  async apply(): Promise<void> {
    throw new Error('cannot apply');
  }
}

async function boot(): Promise<INestApplicationContext> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      AppModule.forRoot({
        ...testConfig(),
        databaseUrl: testDatabaseUrl(),
      }),
    ],
    providers: [ProbeProjection, PoisonedProjection],
  })
    .setLogger(logger)
    .compile();
  return moduleRef.init();
}

describe('ProjectionRunner', () => {
  let pool: pg.Pool;
  let otherProcess: PostgresEventStore;
  let app: INestApplicationContext;

  beforeAll(async () => {
    pool = await migratedPool(5);
    otherProcess = storeOn(pool, ...ACCOUNT_EVENT_TYPES, 'Poisoned');
    app = await boot();
  });
  afterAll(async () => {
    await app.close();
    await pool.end();
  });

  async function openAccountElsewhere(deposit: number, withdrawal: number) {
    const accountId = randomUUID();
    const { events } = await otherProcess.append(`account-${accountId}`, [
      { type: 'AccountOpened', data: { accountId, ownerName: 'Grace Hopper', currency: 'EUR' } },
      { type: 'MoneyDeposited', data: { accountId, amount: deposit } },
      { type: 'MoneyWithdrawn', data: { accountId, amount: withdrawal } },
    ]);
    return { accountId, events };
  }

  const ours = ['accounts', PROBE];
  const rows = async (sql: string, params: unknown[]) => (await pool.query(sql, params)).rows;
  const balanceOf = async (accountId: string) =>
    (
      await rows('SELECT balance::int, version FROM account_balances WHERE id = $1', [accountId])
    )[0];
  const linesOf = (accountId: string) =>
    rows(
      `SELECT stream_version, kind, amount::int, balance_after::int FROM account_transactions
       WHERE account_id = $1 ORDER BY stream_version`,
      [accountId],
    );
  const checkpoints = () =>
    rows(
      `SELECT name, transaction_id::text, global_position::int, updated_at
       FROM projection_checkpoints WHERE name = ANY($1) ORDER BY name`,
      [ours],
    );
  const snapshot = async (accountId: string) => ({
    balance: await balanceOf(accountId),
    lines: await linesOf(accountId),
    checkpoints: await checkpoints(),
  });
  const timesApplied = (events: PersistedEvent[]) =>
    events.map((e) => applied.filter((id) => id === e.eventId).length);
  const runner = () => app.get(ProjectionRunner);
  const projected = async (events: PersistedEvent[]) => {
    const last = events[events.length - 1].globalPosition;
    expect(await runner().waitFor(last, ours, 5000)).toBe(true);
  };
  const live = () =>
    eventually(async () => {
      const ourStatus = (await runner().status()).filter((p) => ours.includes(p.name));
      expect(ourStatus.map((p) => p.status)).toEqual(['live', 'live']);
    });

  it('projects events another process appended without the EventBus, through the poll', async () => {
    const { accountId, events } = await openAccountElsewhere(500, 200);

    await eventually(async () =>
      expect(await balanceOf(accountId)).toEqual({ balance: 300, version: 3 }),
    );
    expect(await linesOf(accountId)).toEqual([
      { stream_version: 2, kind: 'deposit', amount: 500, balance_after: 500 },
      { stream_version: 3, kind: 'withdrawal', amount: 200, balance_after: 300 },
    ]);
    await eventually(async () => expect(timesApplied(events)).toEqual([1, 1, 1]));
  });

  it('ignores an event delivered again on the EventBus', async () => {
    const { accountId, events } = await openAccountElsewhere(700, 100);
    await projected(events);
    const before = await snapshot(accountId);

    app.get(EventBus).publishAll(events);
    app.get(EventBus).publish(events[1]);
    await sleep(300);

    expect(before.balance).toEqual({ balance: 600, version: 3 });
    expect(await snapshot(accountId)).toEqual(before);
    expect(timesApplied(events)).toEqual([1, 1, 1]);
  });

  it('keeps its checkpoints across a restart and applies nothing twice', async () => {
    const { accountId, events } = await openAccountElsewhere(900, 400);
    await projected(events);
    const before = await snapshot(accountId);
    const appliedBefore = applied.length;

    await app.close();
    app = await boot();
    await live();
    await sleep(300);

    expect(before.balance).toEqual({ balance: 500, version: 3 });
    expect(await snapshot(accountId)).toEqual(before);
    expect(applied).toHaveLength(appliedBefore);

    const { events: more } = await otherProcess.append(`account-${accountId}`, [
      { type: 'MoneyWithdrawn', data: { accountId, amount: 50 } },
    ]);
    await eventually(async () =>
      expect(await balanceOf(accountId)).toEqual({ balance: 450, version: 4 }),
    );
    await eventually(async () => expect(timesApplied([...events, ...more])).toEqual([1, 1, 1, 1]));
    expect(new Set(applied).size).toBe(applied.length);
  });

  it('dead-letters an event its handler keeps failing on and stops there, the others go on', async () => {
    const { events } = await otherProcess.append(`poisoned-${randomUUID()}`, [
      { type: 'Poisoned', data: {} },
    ]);
    const [poisoned] = events;

    await eventually(async () =>
      expect((await runner().status()).find((p) => p.name === POISONED)).toMatchObject({
        status: 'failed',
        lastError: `event ${poisoned.globalPosition} (Poisoned): cannot apply`,
      }),
    );
    const failures = logger.filter({
      level: 'error',
      context: 'ProjectionRunner',
      message: POISONED,
    });
    expect(failures).toHaveLength(3);
    expect(await runner().deadLetters(POISONED)).toEqual([
      expect.objectContaining({
        eventId: poisoned.eventId,
        position: poisoned.globalPosition,
        error: 'cannot apply',
        attempts: 3,
        resolution: null,
      }),
    ]);

    const { accountId, events: later } = await openAccountElsewhere(100, 30);
    await projected(later);
    expect(await balanceOf(accountId)).toEqual({ balance: 70, version: 3 });
  });
});
