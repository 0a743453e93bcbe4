import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, type INestApplicationContext } from '@nestjs/common';
import { CapturingLogger, Test } from '@nestjs/testing';
import fc from 'fast-check';
import pg from 'pg';
import type { EntityManager } from 'typeorm';
import {
  foldAccounts,
  foldDailyVolume,
  readAccountsModel,
  readDailyVolume,
  readLog,
} from '../../test/support/account-fold.js';
import { scratchDatabase, type ScratchDatabase } from '../../test/support/database.js';
import { testConfig } from '../../test/support/test-app.js';
import { ACCOUNT_EVENT_TYPES } from '../accounts/index.js';
import { AppModule } from '../app.module.js';
import { EventTypeRegistry } from '../event-store/event-type-registry.js';
import type { NewEvent } from '../event-store/event-store.types.js';
import type { PersistedEvent } from '../event-store/persisted-event.js';
import { PostgresEventStore } from '../event-store/postgres-event-store.js';
import { LEASE_LOCK_SPACE } from './leases.js';
import { Projection, type ProjectionTransaction, type ReadModel } from './processor.js';
import { ProjectionRunner } from './projection-runner.service.js';

const PROBE = 'engine-probe';
const PROJECTIONS = ['accounts', 'account-daily-volume', PROBE];
const CURRENCIES = ['EUR', 'USD', 'GBP'];

/** What the test asks of the probe's next batches, whichever app instance runs them. */
const chaos = {
  throwNext: 0,
  killNext: 0,
  /** The next batch waits after its writes, inside its transaction, until `resume` settles. */
  pause: undefined as { reached: () => void; resume: Promise<void> } | undefined,
  kill: async (_pid: number): Promise<void> => {},
};

/** Counts how often each event is applied (a second application shows as times = 2) and in which order. */
@Projection(PROBE)
@Injectable()
class ProbeProjection implements ReadModel {
  readonly eventTypes = ACCOUNT_EVENT_TYPES;
  readonly tables = ['engine_probe'];

  async apply(events: readonly PersistedEvent[], tx: EntityManager): Promise<void> {
    await tx.query(
      `INSERT INTO engine_probe (event_id, global_position) SELECT * FROM unnest($1::uuid[], $2::bigint[])
       ON CONFLICT (event_id) DO UPDATE SET times = engine_probe.times + 1`,
      [events.map((e) => e.eventId), events.map((e) => e.globalPosition)],
    );
    if (chaos.throwNext > 0) {
      chaos.throwNext -= 1;
      throw new Error('chaos: the handler threw');
    }
    if (chaos.killNext > 0) {
      chaos.killNext -= 1;
      const [{ pid }] = await tx.query('SELECT pg_backend_pid() AS pid');
      await chaos.kill(pid);
    }
    const pause = chaos.pause;
    if (pause) {
      chaos.pause = undefined;
      pause.reached();
      await pause.resume;
    }
  }

  /** While catching up it is written in transactions over several pages, chaos included. */
  open(tx: EntityManager): ProjectionTransaction {
    return { write: (events) => this.apply(events, tx), finish: async () => {} };
  }
}

type MoneyType = 'MoneyDeposited' | 'MoneyWithdrawn' | 'WithdrawalRejected';
interface WriterTx {
  appends: Array<{ account: number; events: Array<{ type: MoneyType; amount: number }> }>;
  /** Take the transaction id before writing: its xid is then older than later writers' commits. */
  earlyXid: boolean;
  /** How long the transaction stays open after its appends drew their positions. */
  holdMs: number;
  commit: boolean;
}
type ChaosKind = 'throw' | 'kill-batch' | 'kill-lease' | 'crash' | 'handover' | 'standby';
interface Scenario {
  batchSize: number;
  writers: WriterTx[][];
  chaos: Array<{ atMs: number; kind: ChaosKind }>;
}

const writerTx: fc.Arbitrary<WriterTx> = fc.record({
  appends: fc.array(
    fc.record({
      account: fc.integer({ min: 0, max: CURRENCIES.length - 1 }),
      events: fc.array(
        fc.record({
          type: fc.constantFrom<MoneyType>(
            'MoneyDeposited',
            'MoneyWithdrawn',
            'WithdrawalRejected',
          ),
          amount: fc.integer({ min: 1, max: 1000 }),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    }),
    { minLength: 1, maxLength: 2 },
  ),
  earlyXid: fc.boolean(),
  holdMs: fc.integer({ min: 0, max: 40 }),
  commit: fc.oneof(
    { weight: 4, arbitrary: fc.constant(true) },
    { weight: 1, arbitrary: fc.constant(false) },
  ),
});

const scenarios: fc.Arbitrary<Scenario> = fc.record({
  batchSize: fc.integer({ min: 1, max: 8 }),
  writers: fc.array(fc.array(writerTx, { minLength: 1, maxLength: 6 }), {
    minLength: 2,
    maxLength: 4,
  }),
  chaos: fc.array(
    fc.record({
      atMs: fc.integer({ min: 0, max: 300 }),
      kind: fc.constantFrom<ChaosKind>(
        'throw',
        'kill-batch',
        'kill-lease',
        'crash',
        'handover',
        'standby',
      ),
    }),
    { minLength: 1, maxLength: 3 },
  ),
});

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(20);
  }
  return false;
}

/** One scenario on a database of its own: writers, chaos, then every projection against a fold of the log. */
class Run {
  private readonly logger = new CapturingLogger();
  private readonly apps = new Set<INestApplicationContext>();
  private current!: INestApplicationContext;
  private readonly committed = new Set<string>();
  private readonly registry = new EventTypeRegistry();

  constructor(
    private readonly db: ScratchDatabase,
    private readonly scenario: Scenario,
  ) {
    this.registry.register(...ACCOUNT_EVENT_TYPES.map((type) => ({ type })));
  }

  async execute(): Promise<void> {
    chaos.kill = (pid) => this.terminate([pid]);
    this.current = await this.boot();
    const started = Date.now();
    const writers = this.scenario.writers.map((txs) => this.write(txs));
    const disorder = (async () => {
      for (const { atMs, kind } of [...this.scenario.chaos].sort((a, b) => a.atMs - b.atMs)) {
        await sleep(Math.max(0, started + atMs - Date.now()));
        await this.act(kind);
      }
    })();
    // Settle every writer before failing: a writer left running would be cut off by the database's drop.
    // A commit through an instance wakes its projections at once (EventBus): so does this, at random moments.
    let writing = true;
    const waker = (async () => {
      while (writing) {
        for (const app of this.apps) app.get(ProjectionRunner).notify();
        await sleep(Math.random() * 3);
      }
    })();
    const outcomes = await Promise.allSettled([...writers, disorder]);
    writing = false;
    await waker;
    const failure = outcomes.find((o) => o.status === 'rejected');
    if (failure) throw failure.reason;
    Object.assign(chaos, { throwNext: 0, killNext: 0, pause: undefined });
    await this.caughtUp();
    await this.verify();
  }

  async close(): Promise<void> {
    Object.assign(chaos, { throwNext: 0, killNext: 0, pause: undefined });
    for (const app of this.apps) await app.close().catch(() => undefined);
  }

  private async boot(): Promise<INestApplicationContext> {
    const config = testConfig();
    const moduleRef = await Test.createTestingModule({
      imports: [
        AppModule.forRoot({
          ...config,
          databaseUrl: this.db.url,
          dbPoolSize: 4,
          projections: {
            ...config.projections,
            batchSize: this.scenario.batchSize,
            pollMs: 100,
            leaseRetryMs: 50,
            retryBaseMs: 10,
            retryAttempts: 3,
          },
        }),
      ],
      providers: [ProbeProjection],
    })
      .setLogger(this.logger)
      .compile();
    const app = await moduleRef.init();
    this.apps.add(app);
    return app;
  }

  private async shutDown(app: INestApplicationContext): Promise<void> {
    this.apps.delete(app);
    await app.close().catch(() => undefined);
  }

  /** A writer on a connection of its own; its accounts are its own, so writers never conflict on a stream. */
  private async write(txs: WriterTx[]): Promise<void> {
    const client = new pg.Client({
      connectionString: this.db.url,
      application_name: 'engine-property-writer',
    });
    client.on('error', () => undefined); // a failed query says it; the drop may end an idle session
    await client.connect();
    const store = new PostgresEventStore(client, this.registry);
    const accounts = CURRENCIES.map(() => randomUUID());
    const opened = new Set<number>();
    try {
      for (const tx of txs) {
        await client.query('BEGIN');
        if (tx.earlyXid) await client.query('SELECT pg_current_xact_id()');
        const openedHere = new Set<number>();
        const ids: string[] = [];
        for (const { account, events } of tx.appends) {
          const accountId = accounts[account];
          const news: NewEvent[] = events.map(({ type, amount }) => ({
            type,
            data:
              type === 'WithdrawalRejected'
                ? { accountId, amount, reason: 'insufficient-funds', balance: 0 }
                : { accountId, amount },
          }));
          if (!opened.has(account) && !openedHere.has(account)) {
            openedHere.add(account);
            news.unshift({
              type: 'AccountOpened',
              data: { accountId, ownerName: 'Property', currency: CURRENCIES[account] },
            });
          }
          const appended = await store.append(`account-${accountId}`, news);
          ids.push(...appended.events.map((e) => e.eventId));
        }
        await sleep(tx.holdMs);
        if (tx.commit) {
          await client.query('COMMIT');
          for (const account of openedHere) opened.add(account);
          for (const id of ids) this.committed.add(id);
        } else {
          await client.query('ROLLBACK');
        }
      }
    } finally {
      await client.end();
    }
  }

  private async act(kind: ChaosKind): Promise<void> {
    switch (kind) {
      case 'throw':
        chaos.throwNext = 1;
        return;
      case 'kill-batch':
        chaos.killNext = 1;
        return;
      case 'kill-lease':
        // Inside a batch when there is one: the lease goes (and comes back) while the batch is still open.
        return this.insideBatch(async () => {
          const old = await this.leaseHolders();
          await this.terminate(old);
          await until(async () => (await this.leaseHolders()).some((p) => !old.includes(p)), 5000);
        });
      case 'crash': {
        // Every connection of the instance at once, batch and lease alike; then a new instance.
        // Not a connection still starting: pg would hand it to the pool before reporting its end, unheard.
        await this.db.pool.query(
          `SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity
           WHERE datname = current_database() AND application_name LIKE 'chronicle%'
             AND backend_start < now() - interval '1 second'`,
        );
        await this.shutDown(this.current);
        this.current = await this.boot();
        return;
      }
      case 'handover': {
        // A second instance takes the leases while the first is still inside a batch (the CAS decides).
        const next = await this.boot();
        await this.insideBatch(async () => {
          const old = await this.leaseHolders();
          await this.terminate(old);
          await until(async () => (await this.leaseHolders()).some((p) => !old.includes(p)), 5000);
          await until(() => this.someoneWaitsOnALock(), 1000);
        });
        await this.shutDown(this.current);
        this.current = next;
        return;
      }
      case 'standby': {
        // A second instance stands by while the first moves on, then takes over from its shutdown.
        const next = await this.boot();
        await this.write([
          {
            appends: [{ account: 0, events: [{ type: 'MoneyDeposited', amount: 1 }] }],
            earlyXid: false,
            holdMs: 0,
            commit: true,
          },
        ]);
        await until(() => this.isCaughtUp(), 5000);
        await this.shutDown(this.current);
        this.current = next;
        return;
      }
    }
  }

  /** Runs `action` while the probe's next batch (if one comes within a second) waits inside its transaction. */
  private async insideBatch(action: () => Promise<void>): Promise<void> {
    let reached!: () => void;
    let resume!: () => void;
    const inBatch = new Promise<void>((resolve) => (reached = resolve));
    chaos.pause = { reached, resume: new Promise<void>((resolve) => (resume = resolve)) };
    try {
      await Promise.race([inBatch, sleep(1000)]);
      await action();
    } finally {
      chaos.pause = undefined;
      resume();
    }
  }

  private async leaseHolders(): Promise<number[]> {
    const { rows } = await this.db.pool.query(
      `SELECT DISTINCT pid FROM pg_locks
       WHERE locktype = 'advisory' AND granted AND classid::bigint = $1
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [LEASE_LOCK_SPACE],
    );
    return rows.map((r) => r.pid as number);
  }

  private async someoneWaitsOnALock(): Promise<boolean> {
    const { rows } = await this.db.pool.query(
      `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    return rows.length > 0;
  }

  private async terminate(pids: number[]): Promise<void> {
    if (pids.length === 0) return;
    await this.db.pool.query(
      'SELECT pg_terminate_backend(pid, 5000) FROM unnest($1::int[]) AS pid',
      [pids],
    );
  }

  /** Every projection live with its checkpoint at the end of the log (in commit order). */
  private async checkpoints() {
    const { rows } = await this.db.pool.query(
      `SELECT c.name, c.status, c.last_error,
         (SELECT count(*) FROM events e
          WHERE (e.transaction_id, e.global_position) > (c.transaction_id, c.global_position))::int AS lag
       FROM projection_checkpoints c WHERE c.name = ANY($1) ORDER BY c.name`,
      [PROJECTIONS],
    );
    return rows as Array<{ name: string; status: string; last_error: string | null; lag: number }>;
  }

  private async isCaughtUp(): Promise<boolean> {
    const rows = await this.checkpoints();
    return (
      rows.length === PROJECTIONS.length && rows.every((r) => r.lag === 0 && r.status === 'live')
    );
  }

  private async caughtUp(): Promise<void> {
    if (await until(() => this.isCaughtUp(), 30_000)) return;
    const errors = this.logger.filter({ level: 'error' }).slice(-5);
    throw new Error(
      `Projections did not catch up: ${JSON.stringify(await this.checkpoints())}; ` +
        `last errors: ${errors.map((e) => String(e.message)).join(' | ')}`,
    );
  }

  private async verify(): Promise<void> {
    const pool = this.db.pool;
    const log = await readLog(pool);
    expect(new Set(log.map((e) => e.eventId))).toEqual(this.committed);

    const commitOrder = await pool.query(
      'SELECT event_id FROM events ORDER BY transaction_id, global_position',
    );
    const probe = await pool.query('SELECT event_id, times FROM engine_probe ORDER BY seq');
    const applied = probe.rows.map((r) => r.event_id as string);
    expect({ appliedTwice: probe.rows.filter((r) => r.times !== 1) }).toEqual({ appliedTwice: [] });
    expect({ missing: log.filter((e) => !applied.includes(e.eventId)) }).toEqual({ missing: [] });
    expect(applied).toEqual(commitOrder.rows.map((r) => r.event_id));

    expect(await readAccountsModel(pool)).toEqual(foldAccounts(log));
    expect(await readDailyVolume(pool)).toEqual(foldDailyVolume(log));
    expect((await pool.query('SELECT * FROM projection_dead_letters')).rows).toEqual([]);
  }
}

describe('the projection engine (property)', () => {
  // TypeORM prints every query that a terminated connection failed: expected here, thousands of lines.
  const log = console.log;
  beforeAll(() => (console.log = () => undefined));
  afterAll(() => (console.log = log));

  it('never loses, skips or double-applies an event under concurrent writers, crashes and restarts', async () => {
    await fc.assert(
      fc.asyncProperty(scenarios, async (scenario) => {
        const db = await scratchDatabase(4);
        db.pool.on('error', () => undefined);
        await db.pool.query(
          `CREATE TABLE engine_probe (event_id uuid PRIMARY KEY, global_position bigint NOT NULL,
             times int NOT NULL DEFAULT 1, seq bigserial NOT NULL)`,
        );
        const run = new Run(db, scenario);
        try {
          await run.execute();
        } finally {
          await run.close();
          await db.drop();
        }
      }),
      {
        numRuns: Number(process.env.PROPERTY_RUNS ?? 25),
        seed: process.env.PROPERTY_SEED ? Number(process.env.PROPERTY_SEED) : undefined,
        // Each run is seconds of real processes and timing: report the failing case, do not shrink it.
        endOnFailure: true,
      },
    );
  }, 300_000);
});
