import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Response } from 'supertest';
import { loadConfig, type AppConfig } from '../src/config/config.js';
import { REBUILD_LOCK_SPACE } from '../src/projections/leases.js';
import { accountsApi } from './support/accounts-api.js';
import { scratchDatabase, type ScratchDatabase } from './support/database.js';
import { eventually } from './support/eventually.js';
import { pgProxy, type PgProxy } from './support/pg-proxy.js';

const CHILD = fileURLToPath(new URL('./support/app.child.ts', import.meta.url));
const REGISTER = fileURLToPath(new URL('./support/ts-register.mjs', import.meta.url));

interface Child {
  process: ChildProcess;
  api: ReturnType<typeof accountsApi>;
  /** Rejects, with what the process wrote, once it exits. */
  exited: Promise<never>;
  output: () => string;
}

/** The app in a child process (see app.child.ts): an unhandled 'error' event ends it, not the test run. */
async function startChild(databaseUrl: string, overrides: Partial<AppConfig> = {}): Promise<Child> {
  let output = '';
  const child = fork(CHILD, [], {
    execArgv: ['--import', REGISTER],
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      CHRONICLE_TEST_DATABASE_URL: databaseUrl,
      CHRONICLE_TEST_OVERRIDES: JSON.stringify(overrides),
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) =>
      reject(new Error(`the app exited (${signal ?? code}):\n${output}`)),
    ),
  );
  exited.catch(() => {});
  const port = await Promise.race([
    new Promise<number>((resolve) =>
      child.once('message', (m) => resolve((m as { port: number }).port)),
    ),
    exited,
  ]);
  const server = `http://127.0.0.1:${port}` as unknown as Server;
  return { process: child, api: accountsApi(server), exited, output: () => output };
}

describe('the process survives PostgreSQL ending its connections', () => {
  let scratch: ScratchDatabase;
  let proxy: PgProxy;
  let child: Child;
  let accountId: string;

  beforeAll(async () => {
    scratch = await scratchDatabase();
    proxy = await pgProxy(scratch.url);
    child = await startChild(proxy.url(scratch.url));
    ({ id: accountId } = await child.api.open({ initialDeposit: 100 }));
  });
  afterAll(async () => {
    child?.process.kill('SIGKILL');
    await proxy?.close();
    await scratch?.drop();
  });

  const appBackends = async (): Promise<number[]> => {
    const { rows } = await scratch.pool.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity
        WHERE datname = current_database() AND application_name LIKE 'chronicle%'`,
    );
    return rows.map((row) => row.pid);
  };

  /** pg_terminate_backend (SQLSTATE 57P01 on the app's side), then waits until the backends are gone. */
  const terminate = async (pids: number[]) => {
    await scratch.pool.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [
      pids,
    ]);
    await eventually(async () => {
      const { rows } = await scratch.pool.query(
        'SELECT 1 FROM pg_stat_activity WHERE pid = ANY($1::int[])',
        [pids],
      );
      expect(rows).toEqual([]);
    });
    // The app reads the server's FATAL and the end of the connection.
    await sleep(200);
  };

  /** Sends the request now; its status, or why it got none. */
  const statusOf = (req: PromiseLike<{ status: number }>): Promise<number | string> =>
    Promise.resolve(req).then(
      (res) => res.status,
      (error: Error) => error.message,
    );

  const expectRunning = (when: string) => {
    if (child.process.exitCode !== null || child.process.signalCode !== null) {
      throw new Error(`${when}: the app exited:\n${child.output()}`);
    }
  };

  const expectServing = async () => {
    expectRunning('afterwards');
    await eventually(async () => {
      await child.api.http().get('/health').expect(200);
    });
    await child.api.deposit(accountId, 10);
  };

  it('all its connections at once, idle ones in the pool included', async () => {
    const pids = await appBackends();
    expect(pids.length).toBeGreaterThan(1);
    await terminate(pids);
    await expectServing();
    expect(child.output()).toMatch(/A database connection was lost/);
    expect(child.output()).not.toMatch(/\n\s+at /);
  });

  it('a connection checked out and idle between queries (the rebuild lock)', async () => {
    const blocker = await scratch.pool.connect();
    try {
      // The rebuild takes its lock, then waits for the table it copies: its lock connection sits checked out.
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE account_balances IN ACCESS EXCLUSIVE MODE');
      const rebuild = statusOf(child.api.http().post('/admin/projections/accounts/rebuild'));
      let lockHolder: number | undefined;
      await eventually(async () => {
        const { rows } = await scratch.pool.query<{ pid: number }>(
          `SELECT pid FROM pg_locks
            WHERE locktype = 'advisory' AND classid = $1::oid AND granted
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
          [REBUILD_LOCK_SPACE],
        );
        expect(rows).toHaveLength(1);
        lockHolder = rows[0].pid;
      });
      await terminate([lockHolder!]);
      expectRunning('after the lock connection ended');
      await blocker.query('COMMIT');
      expect(await rebuild).toBe(202);
      // Without its lock another rebuild could be running: this one must not swap its tables in.
      await eventually(async () =>
        expect(child.output()).toMatch(
          /Rebuild of projection accounts failed: .*the rebuild lost its lock; not swapped in/,
        ),
      );
    } finally {
      blocker.release();
    }
    await expectServing();
  });

  it('a connection ended in the middle of connecting', async () => {
    const held = proxy.holdNext();
    // The pool has to connect again (and the lease connection does, every PROJECTION_LEASE_RETRY_MS).
    await terminate(await appBackends());
    const probe = statusOf(child.api.http().get('/health'));
    const { pid, releaseAfterServerClosed } = await Promise.race([held, child.exited]);
    await scratch.pool.query('SELECT pg_terminate_backend($1)', [pid]);
    await sleep(100);
    expectRunning('before the release');
    // The client gets ReadyForQuery and the FATAL 57P01 in one read: connected and lost in the same tick.
    await releaseAfterServerClosed();
    await sleep(200);
    await probe;
    await expectServing();
  });
});

describe('every request answers 503 database-unavailable within DATABASE_TIMEOUT_MS while PostgreSQL does not', () => {
  const TIMEOUT_MS = 1500;
  /** Time to answer past the budget: the request's own work, and a loaded machine's. */
  const SLACK_MS = 300;
  const STARTED = /Database unavailable \(/g;
  const ENDED = /Database available again after/g;
  let scratch: ScratchDatabase;
  let proxy: PgProxy;
  let child: Child;
  let accountId: string;

  beforeAll(async () => {
    scratch = await scratchDatabase();
    proxy = await pgProxy(scratch.url);
    child = await startChild(proxy.url(scratch.url), {
      database: loadConfig({ DATABASE_TIMEOUT_MS: String(TIMEOUT_MS) }).database,
    });
    ({ id: accountId } = await child.api.open({ initialDeposit: 100 }));
  });
  afterAll(async () => {
    child?.process.kill('SIGKILL');
    await proxy?.close();
    await scratch?.drop();
  });

  const count = (lines: RegExp) => child.output().match(lines)?.length ?? 0;

  /** Health, a read and commands, all at once: how each answered, and how long it took. */
  const everyKind = () => {
    const http = child.api.http;
    const timed = async (kind: string, sent: PromiseLike<Response>) => {
      const started = Date.now();
      const res = await sent;
      return {
        kind,
        status: res.status,
        type: (res.body as { type?: string }).type,
        retryAfter: res.headers['retry-after'],
        ms: Date.now() - started,
      };
    };
    return Promise.all([
      timed('health', http().get('/health')),
      timed('read', http().get(`/accounts/${accountId}`)),
      // Its wait for the read model is not counted against the budget; looking up the position is.
      timed('read with consistentWith', http().get(`/accounts/${accountId}?consistentWith=1`)),
      timed('command', http().post(`/accounts/${accountId}/deposits`).send({ amount: 1 })),
      timed(
        'command with an Idempotency-Key',
        http()
          .post(`/accounts/${accountId}/withdrawals`)
          .set('Idempotency-Key', randomUUID())
          .send({ amount: 1 }),
      ),
    ]);
  };

  const expectUnavailable = (answers: Awaited<ReturnType<typeof everyKind>>) => {
    for (const { kind, status, type, retryAfter } of answers) {
      expect({ kind, status, type, retryAfter }).toEqual({
        kind,
        status: 503,
        type: '/problems/database-unavailable',
        retryAfter: '5',
      });
    }
    expect(answers.filter(({ ms }) => ms > TIMEOUT_MS + SLACK_MS)).toEqual([]);
  };

  /** /health reports the outage the app has found (its `since`), before the database comes back. */
  const expectOutageReported = () =>
    eventually(async () => {
      const res = await child.api.http().get('/health');
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ database: 'down', since: expect.any(String) });
    }, 10_000);

  /** Every kind of request works again, the projections included (their leases and LISTEN recovered). */
  const expectRecovered = async () => {
    await eventually(async () => {
      await child.api.http().get('/health').expect(200);
    }, 15_000);
    const { position } = await child.api.deposit(accountId, 10);
    await child.api.account(accountId, position);
  };

  /** One line when each outage starts, one when it ends, and nothing else: no stack, no line per failure. */
  const expectOneOutageLogged = async (outages: number) => {
    await eventually(async () => expect(count(ENDED)).toBe(outages));
    expect(count(STARTED)).toBe(outages);
    expect(child.output()).not.toMatch(/\n\s+at /);
    const others = child
      .output()
      .split('\n')
      .filter(
        (line) =>
          /"level":"(warn|error|fatal)"/.test(line) && !/"context":"PersonalData"/.test(line),
      )
      .filter((line) => !/Database (unavailable \(|available again after)/.test(line));
    expect(others).toEqual([]);
  };

  it.each([
    ['frozen: no byte either way, on open and new connections', () => proxy.freeze(), 1],
    ['dropped: every connection closed, new ones refused', () => proxy.drop(), 2],
  ])('%s', async (_, cut, outagesSoFar) => {
    cut();
    try {
      const first = await everyKind();
      const during = await everyKind();
      expectUnavailable(first);
      expectUnavailable(during);
      await expectOutageReported();
    } finally {
      proxy.restore();
    }
    await expectRecovered();
    await expectOneOutageLogged(outagesSoFar);
  });

  it('frozen with keyed commands in flight: each answers in time, and its retry does not store it again', async () => {
    const accounts = await Promise.all(
      [1, 2, 3].map(async () => (await child.api.open({ initialDeposit: 1000 })).id),
    );
    // The moment the server has an append (its commit on the way), nothing more comes back from it.
    let frozen = false;
    const freeze = proxy.freezeAfter('chronicle_append', 20).then(() => (frozen = true));
    const answers: Array<{
      key: string;
      path: string;
      body: object;
      answer: { status: number; type?: string; retryAfter?: string };
      ms: number;
    }> = [];
    /** Keyed deposits and withdrawals, one after the other, until the freeze; two of these per account. */
    const worker = async (id: string, n: number) => {
      for (let i = 0; !frozen; i++) {
        const key = randomUUID();
        const path = `/accounts/${id}/${(n + i) % 2 ? 'withdrawals' : 'deposits'}`;
        const body = { amount: 1 + i, description: `command ${n}.${i}` };
        const started = Date.now();
        const res = await child.api.http().post(path).set('Idempotency-Key', key).send(body);
        const ms = Date.now() - started;
        const { status, body: answer, headers } = res;
        const { type } = answer as { type?: string };
        const retryAfter = headers['retry-after'] as string | undefined;
        answers.push({ key, path, body, answer: { status, type, retryAfter }, ms });
      }
    };
    const workers = accounts.flatMap((id, a) => [worker(id, 2 * a), worker(id, 2 * a + 1)]);
    try {
      await Promise.race([freeze, sleep(10_000, undefined, { ref: false })]);
      expect(frozen).toBe(true);
      // Held past the budget, so that an answer that waits for the database to come back is late.
      await Promise.race([Promise.all(workers), sleep(3 * TIMEOUT_MS, undefined, { ref: false })]);
      await expectOutageReported();
    } finally {
      proxy.restore();
    }
    await Promise.all(workers);
    expect(answers.filter(({ ms }) => ms > TIMEOUT_MS + SLACK_MS)).toEqual([]);
    const unanswered = answers.filter(({ answer }) => answer.status !== 201);
    expect(unanswered.length).toBeGreaterThan(0);
    for (const { answer } of unanswered) {
      expect(answer).toEqual({
        status: 503,
        type: '/problems/database-unavailable',
        retryAfter: '5',
      });
    }
    await expectRecovered();

    // A command answered 503 may have been stored: its retry runs nothing new (it is still in progress, or
    // replays its answer, or finds what it stored under its command id), so no command is stored twice.
    for (const { key, path, body } of unanswered) {
      const retry = await child.api.http().post(path).set('Idempotency-Key', key).send(body);
      expect([201, 409]).toContain(retry.status);
    }
    for (const id of accounts) {
      const commands = (await child.api.events(id))
        .map((e) => e.data.description)
        .filter((description) => description !== undefined);
      expect(new Set(commands).size).toBe(commands.length);
    }
    await expectOneOutageLogged(3);
  });
});
