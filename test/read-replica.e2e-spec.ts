import type { RunningApp } from '../src/app.factory.js';
import { accountsApi, expectProblem } from './support/accounts-api.js';
import {
  postgresBinaries,
  startPrimaryWithReplica,
  type PrimaryWithReplica,
} from './support/replica.js';
import { startTestApp } from './support/test-app.js';

const bin = postgresBinaries();
const CONSISTENCY_TIMEOUT_MS = 1500;

// Skipped only where PostgreSQL's server binaries are not installed, and then by a title that says so.
const describeWithReplica = bin ? describe : describe.skip;
const missing = bin
  ? ''
  : ' (SKIPPED: pg_basebackup, initdb or pg_ctl not found under /usr/lib/postgresql)';

describeWithReplica(`reads from a streaming replica (READ_DATABASE_URL)${missing}`, () => {
  let cluster: PrimaryWithReplica;
  let running: RunningApp;
  let api: ReturnType<typeof accountsApi>;

  beforeAll(async () => {
    cluster = await startPrimaryWithReplica(bin!);
    running = await startTestApp({
      databaseUrl: cluster.primaryUrl,
      readDatabaseUrl: cluster.replicaUrl,
      consistencyTimeoutMs: CONSISTENCY_TIMEOUT_MS,
    });
    api = accountsApi(running.app.getHttpServer());
  }, 180_000);
  afterAll(async () => {
    await running?.close();
    await cluster?.stop();
  });

  const read = (id: string, consistentWith?: number) =>
    api
      .http()
      .get(`/accounts/${id}`)
      .query(consistentWith === undefined ? {} : { consistentWith });

  it('answers a consistent read from the replica once it has replayed the write, and says so', async () => {
    const { id } = await api.open({ initialDeposit: 1_000 });
    const deposit = await api.deposit(id, 250);
    const res = await read(id, deposit.position).expect(200);
    expect(res.body.balance).toBe(1_250);
    expect(res.headers['x-read-source']).toBe('replica');
  });

  it('while replay is paused: a consistent read waits and answers 503, an inconsistent one the old balance; then catches up', async () => {
    const { id, position } = await api.open({ initialDeposit: 1_000 });
    await read(id, position).expect(200);
    await cluster.onReplica('SELECT pg_wal_replay_pause()');
    try {
      const deposit = await api.deposit(id, 500);
      const started = Date.now();
      const waited = await read(id, deposit.position);
      const elapsed = Date.now() - started;
      expectProblem(waited, 503, 'consistency-timeout');
      expect(waited.headers['retry-after']).toBe('1');
      // It waited its bound for the replica (the primary's projection had long caught up), and no longer.
      expect(elapsed).toBeGreaterThanOrEqual(CONSISTENCY_TIMEOUT_MS - 50);
      expect(elapsed).toBeLessThan(CONSISTENCY_TIMEOUT_MS + 3_000);

      const stale = await read(id).expect(200);
      expect(stale.body.balance).toBe(1_000);
      expect(stale.headers['x-read-source']).toBe('replica');
    } finally {
      await cluster.onReplica('SELECT pg_wal_replay_resume()');
    }
    const caughtUp = await read(id, (await api.deposit(id, 1)).position).expect(200);
    expect(caughtUp.body.balance).toBe(1_501);
  });

  it('time travel folds the events on the primary, and says so', async () => {
    const { id, position } = await api.open({ initialDeposit: 1_000 });
    const res = await read(id, position).query({ atVersion: 1 }).expect(200);
    expect(res.body.balance).toBe(0);
    expect(res.headers['x-read-source']).toBe('primary');
  });
});
