import type { Server } from 'node:http';
import type { RunningApp } from '../src/app.factory.js';
import { loadConfig } from '../src/config/config.js';
import { accountsApi } from './support/accounts-api.js';
import { scratchDatabase, type ScratchDatabase } from './support/database.js';
import { eventually } from './support/eventually.js';
import { forgeUndecryptableAccountOpened } from './support/forged-events.js';
import request from './support/http.js';
import { deleteStream, NATS_URL, natsOrSkip, relayConfig } from './support/nats.js';
import { pgProxy, type PgProxy } from './support/pg-proxy.js';
import { forkTsChild, type TsChild } from './support/ts-child.js';
import { startTestApp, testConfig } from './support/test-app.js';

/** A probe as an orchestrator sends it: no token. Answers are held to the OpenAPI document. */
const probe = (server: Server | string, path: '/health/live' | '/health/ready') =>
  request(server).get(path).unset('Authorization');

const expectNotReady = async (server: Server | string, check: string) => {
  const res = await probe(server, '/health/ready');
  expect(res.status).toBe(503);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({
    type: '/problems/not-ready',
    status: 503,
    checks: { [check]: { status: 'down' } },
  });
  return res.body as { checks: Record<string, { status: string; message?: string }> };
};

describe('GET /health/live and /health/ready (terminus)', () => {
  let scratch: ScratchDatabase;
  let running: RunningApp;
  let apiOnly: RunningApp;
  let server: Server;

  beforeAll(async () => {
    // A database of its own: the test breaks a projection.
    scratch = await scratchDatabase();
    running = await startTestApp({ databaseUrl: scratch.url });
    server = running.app.getHttpServer();
    // Serves HTTP only: the projections run (or fail) in the other instance.
    apiOnly = await startTestApp({
      databaseUrl: scratch.url,
      projections: { ...testConfig().projections, run: false },
    });
  });
  afterAll(async () => {
    await apiOnly?.close();
    await running?.close();
    await scratch?.drop();
  });

  it('answers 200 without a token: live without checks, ready with the database and each projection', async () => {
    const live = await probe(server, '/health/live').expect(200);
    expect(live.body).toEqual({ status: 'ok', details: {} });
    const ready = await probe(server, '/health/ready').expect(200);
    expect(ready.body).toMatchObject({
      status: 'ok',
      details: {
        database: { status: 'up' },
        projections: {
          status: 'up',
          maxLagMs: 30_000,
          projections: { accounts: { status: expect.stringMatching(/live|catching-up/) } },
        },
      },
    });
    expect(ready.body.details.broker).toBeUndefined();
  });

  it('answers 503 not-ready while a projection it runs has failed, 200 again once it is past the event', async () => {
    const api = accountsApi(server);
    const { id } = await api.open({ ownerName: 'Grace Tampered' });
    const { position } = await forgeUndecryptableAccountOpened(scratch.pool, id);

    let body!: Awaited<ReturnType<typeof expectNotReady>>;
    await eventually(async () => {
      body = await expectNotReady(server, 'projections');
    }, 20_000);
    expect(body.checks.database).toEqual({ status: 'up' });
    expect(body.checks.projections.message).toMatch(/accounts \(failed/);
    // The instance that runs no projection stays in rotation: a failed projection is not its to fix.
    await probe(apiOnly.app.getHttpServer(), '/health/ready').expect(200);
    await probe(server, '/health/live').expect(200);

    // Every projection that read the forged event stopped at it: each is moved past it.
    await eventually(async () => {
      const listed = await api.http().get('/admin/projections').expect(200);
      const failed = (listed.body.projections as Array<{ name: string; status: string }>).filter(
        (p) => p.status === 'failed',
      );
      for (const { name } of failed)
        await api
          .http()
          .post(`/admin/projections/${name}/skip`)
          .send({ position: Number(position) })
          .expect(200);
      expect(failed).toEqual([]);
    }, 20_000);
    await eventually(async () => {
      const res = await probe(server, '/health/ready');
      if (res.status !== 200) throw new Error(JSON.stringify(res.body));
    }, 20_000);
  });
});

describe('/health/ready while PostgreSQL does not answer, /health/live meanwhile', () => {
  const TIMEOUT_MS = 1500;
  let scratch: ScratchDatabase;
  let proxy: PgProxy;
  let child: TsChild;
  let url: string;

  beforeAll(async () => {
    scratch = await scratchDatabase();
    proxy = await pgProxy(scratch.url);
    child = forkTsChild('./app.child.ts', {
      CHRONICLE_TEST_DATABASE_URL: proxy.url(scratch.url),
      CHRONICLE_TEST_OVERRIDES: JSON.stringify({
        database: loadConfig({ DATABASE_TIMEOUT_MS: String(TIMEOUT_MS) }).database,
      }),
    });
    const port = await Promise.race([
      new Promise<number>((resolve) =>
        child.process.once('message', (m) => resolve((m as { port: number }).port)),
      ),
      child.exited.then(() => {
        throw new Error(`the app exited:\n${child.output()}`);
      }),
    ]);
    url = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    child?.process.kill('SIGKILL');
    await proxy?.close();
    await scratch?.drop();
  });

  it('ready answers 503 not-ready (database down), live 200 at once, and ready 200 again after', async () => {
    await probe(url, '/health/ready').expect(200);
    proxy.freeze();
    try {
      await eventually(async () => {
        const body = await expectNotReady(url, 'database');
        expect(body.checks.database).toEqual({ status: 'down', since: expect.any(String) });
      }, 15_000);
      const started = Date.now();
      await probe(url, '/health/live').expect(200);
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS);
    } finally {
      proxy.restore();
    }
    await eventually(async () => {
      await probe(url, '/health/ready').expect(200);
    }, 15_000);
  });
});

const natsServer = await natsOrSkip('test/health-probes.e2e-spec.ts (a broker up)');

describe('/health/ready with NATS_URL set', () => {
  let running: RunningApp | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });
  afterAll(() => natsServer?.close());

  it('answers 503 not-ready (broker down) while the relay is not connected to NATS', async () => {
    // Nothing listens on port 1: the relay keeps trying in the background.
    running = await startTestApp({ integration: relayConfig('nats://127.0.0.1:1') });
    const body = await expectNotReady(running.app.getHttpServer(), 'broker');
    expect(body.checks.broker).toEqual({ status: 'down', message: 'not connected to NATS' });
    expect(body.checks.database).toEqual({ status: 'up' });
  });

  const withNats = natsServer ? it : it.skip;
  withNats('answers 200 with the broker up once connected to NATS', async () => {
    const integration = relayConfig(NATS_URL);
    running = await startTestApp({ integration });
    const server = running.app.getHttpServer();
    try {
      await eventually(async () => {
        const res = await probe(server, '/health/ready');
        expect(res.status).toBe(200);
        expect(res.body.details.broker).toEqual({ status: 'up' });
      }, 10_000);
    } finally {
      await deleteStream(await natsServer!.jetstreamManager(), integration.stream);
    }
  });
});
