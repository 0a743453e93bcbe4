import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningApp } from '../src/app.factory.js';
import type { IntegrationConfig } from '../src/config/integration-config.js';
import { ProjectionRunner } from '../src/projections/index.js';
import { accountsApi } from './support/accounts-api.js';
import { scratchDatabase, type ScratchDatabase } from './support/database.js';
import { eventually } from './support/eventually.js';
import {
  type Broker,
  brokerOn,
  connectTo,
  deleteStream,
  natsOrSkip,
  OwnNatsServer,
  relayConfig,
} from './support/nats.js';
import type { RelayCrashPoint } from './support/relay-crash.child.js';
import { expectExactlyOnceInCommitOrder, mappedLog } from './support/relay-log.js';
import { startTestApp } from './support/test-app.js';
import { forkTsChild } from './support/ts-child.js';

/** The shortest duplicate window there is: waited out before each restart, so only the high-water mark can help. */
const WINDOW_MS = 1_000;

const nats = await natsOrSkip('test/integration-relay-crash.e2e-spec.ts');

/** The app in a child process whose relay SIGKILLs it at `point` of its first batch; resolves with its signal. */
async function crashChild(
  point: RelayCrashPoint,
  databaseUrl: string,
  integration: IntegrationConfig,
): Promise<{ signal: NodeJS.Signals | null; output: string }> {
  const child = forkTsChild('./relay-crash.child.ts', {
    CHRONICLE_TEST_DATABASE_URL: databaseUrl,
    CHRONICLE_TEST_OVERRIDES: JSON.stringify({ integration }),
    CRASH_AT: point,
  });
  const timer = setTimeout(() => child.process.kill('SIGTERM'), 30_000);
  const { signal } = await child.exited;
  clearTimeout(timer);
  return { signal, output: child.output() };
}

async function relayCheckpoint(scratch: ScratchDatabase): Promise<number> {
  const { rows } = await scratch.pool.query(
    "SELECT global_position FROM projection_checkpoints WHERE name = 'integration-relay'",
  );
  return rows.length ? Number(rows[0].global_position) : 0;
}

async function untilRelayed(running: RunningApp, scratch: ScratchDatabase, timeoutMs = 30_000) {
  const head = Math.max(...(await mappedLog(scratch.pool)).map((e) => e.position));
  expect(
    await running.app.get(ProjectionRunner).waitFor(head, ['integration-relay'], timeoutMs),
  ).toBe(true);
}

(nats ? describe : describe.skip)(
  'the relay survives crashes: every integration event in JetStream exactly once',
  () => {
    let broker: Broker;
    let scratch: ScratchDatabase | undefined;
    let running: RunningApp | undefined;
    let config: IntegrationConfig | undefined;

    beforeAll(async () => {
      broker = await brokerOn(nats!);
    });
    afterEach(async () => {
      await running?.close();
      running = undefined;
      if (config) await deleteStream(broker.jsm, config.stream);
      config = undefined;
      await scratch?.drop();
      scratch = undefined;
    });
    afterAll(() => nats?.close());

    it.each<[RelayCrashPoint, string]>([
      ['mid-batch', 'half of its batch acknowledged'],
      ['after-acks', 'its whole batch acknowledged'],
    ])(
      'killed %s (%s, checkpoint not moved), restarted after the duplicate window: nothing twice, nothing missing',
      async (point) => {
        scratch = await scratchDatabase();
        // The log, written before any relay runs: the relay's first batch holds all of it.
        running = await startTestApp({ databaseUrl: scratch.url });
        const api = accountsApi(running.app.getHttpServer());
        const accounts = await Promise.all([1, 2].map(() => api.open({ initialDeposit: 500 })));
        await Promise.all(
          Array.from({ length: 20 }, (_, i) => api.deposit(accounts[i % 2].id, 10 + i)),
        );
        await running.close();
        running = undefined;
        const expected = await mappedLog(scratch.pool);
        expect(expected).toHaveLength(24);

        config = relayConfig(undefined, { NATS_DUPLICATE_WINDOW_MS: String(WINDOW_MS) });
        const { signal, output } = await crashChild(point, scratch.url, config);
        expect([signal, output]).toEqual(['SIGKILL', expect.any(String)]);
        const inStream = (await broker.messages(config.stream)).length;
        expect(inStream).toBe(point === 'mid-batch' ? expected.length / 2 : expected.length);
        expect(await relayCheckpoint(scratch)).toBe(0);

        await sleep(WINDOW_MS + 500);
        running = await startTestApp({ databaseUrl: scratch.url, integration: config });
        await untilRelayed(running, scratch);
        await expectExactlyOnceInCommitOrder(scratch.pool, broker, config.stream);
      },
    );

    it('NATS killed and restarted under load: HTTP keeps answering, the checkpoint waits, then every event is there once, in order', async () => {
      const server = await OwnNatsServer.start();
      const own = await brokerOn(await connectTo(server.url));
      try {
        scratch = await scratchDatabase();
        const integration = relayConfig(server.url);
        running = await startTestApp({ databaseUrl: scratch.url, integration });
        const api = accountsApi(running.app.getHttpServer());
        const accounts = await Promise.all([1, 2, 3, 4].map(() => api.open()));
        let load = true;
        let answered = 0;
        const writers = accounts.map(async ({ id }) => {
          for (let i = 1; load; i++) {
            await api.deposit(id, i);
            answered += 1;
          }
        });

        await eventually(
          async () => expect(await relayCheckpoint(scratch!)).toBeGreaterThan(0),
          10_000,
        );
        await sleep(300);
        await server.kill();
        const answeredAtKill = answered;
        // The batch in flight when NATS died is retried: the checkpoint stops where the last acknowledged one left it.
        await sleep(1_500);
        const stuckAt = await relayCheckpoint(scratch);
        await sleep(1_500);
        expect(await relayCheckpoint(scratch)).toBe(stuckAt);
        expect(answered - answeredAtKill).toBeGreaterThan(20);
        const status = await accountsApi(running.app.getHttpServer())
          .http()
          .get('/admin/projections')
          .expect(200);
        expect(
          (status.body.projections as Array<{ name: string; status: string }>).find(
            (p) => p.name === 'integration-relay',
          )?.status,
        ).not.toBe('failed');

        await server.restart();
        await sleep(1_000);
        load = false;
        await Promise.all(writers);
        await untilRelayed(running, scratch);
        await expectExactlyOnceInCommitOrder(scratch.pool, own, integration.stream);
        expect((await own.messages(integration.stream)).length).toBeGreaterThan(answeredAtKill);
      } finally {
        await running?.close();
        running = undefined;
        await own.close();
        await server.stop();
      }
    });
  },
);
