import type { StreamConfig, StreamInfo } from 'nats';
import type { RunningApp } from '../src/app.factory.js';
import type { IntegrationConfig } from '../src/config/integration-config.js';
import { expectedStream } from '../src/integration/relay/stream-config.js';
import { ProjectionRunner } from '../src/projections/index.js';
import { accountsApi } from './support/accounts-api.js';
import { scratchDatabase, type ScratchDatabase } from './support/database.js';
import { eventually } from './support/eventually.js';
import request from './support/http.js';
import {
  type Broker,
  brokerOn,
  connectTo,
  deleteStream,
  NATS_URL,
  natsOrSkip,
  relayConfig,
} from './support/nats.js';
import { mappedLog } from './support/relay-log.js';
import { startTestApp } from './support/test-app.js';

const nats = await natsOrSkip('test/integration-relay-outage.e2e-spec.ts');

/** Issue 13, review finding 3: an outage of the relay's broker is not healthy, and a deleted stream comes back. */
(nats ? describe : describe.skip)('the relay in an outage', () => {
  let scratch: ScratchDatabase;
  let running: RunningApp | undefined;
  let broker: Broker | undefined;
  let config: IntegrationConfig | undefined;

  beforeEach(async () => {
    scratch = await scratchDatabase();
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
    if (broker && config) await deleteStream(broker.jsm, config.stream);
    await broker?.close();
    broker = undefined;
    await scratch?.drop();
  });
  afterAll(async () => {
    await nats?.close();
  });

  const relayStatus = async (app: RunningApp) =>
    (
      (await request(app.app.getHttpServer()).get('/admin/projections').expect(200)).body
        .projections as Array<{ name: string; status: string; lastError: string | null }>
    ).find((p) => p.name === 'integration-relay')!;

  it('shows the error in /admin/projections while NATS cannot be reached', async () => {
    running = await startTestApp({
      databaseUrl: scratch.url,
      integration: relayConfig('nats://127.0.0.1:1'),
    });
    await accountsApi(running.app.getHttpServer()).open({
      ownerName: 'Ada Lovelace',
      initialDeposit: 100,
    });
    await eventually(async () => {
      expect((await relayStatus(running!)).lastError).toMatch(/NATS/);
    }, 20_000);
  });

  it('re-creates a stream deleted while it runs, relays what waited, and clears the error', async () => {
    config = relayConfig();
    broker = await brokerOn(await connectTo(NATS_URL));
    running = await startTestApp({ databaseUrl: scratch.url, integration: config });
    const api = accountsApi(running.app.getHttpServer());
    const account = await api.open({ ownerName: 'Ada Lovelace', initialDeposit: 100 });
    const runner = running.app.get(ProjectionRunner);
    const head = async () => Math.max(...(await mappedLog(scratch.pool)).map((e) => e.position));
    expect(await runner.waitFor(await head(), ['integration-relay'], 15_000)).toBe(true);
    await broker.jsm.streams.delete(config.stream);
    await api.deposit(account.id, 10, 'after the deletion');
    await api.deposit(account.id, 20, 'after the deletion');
    expect(await runner.waitFor(await head(), ['integration-relay'], 30_000)).toBe(true);
    const { state } = await broker.jsm.streams.info(config.stream);
    expect(state.messages).toBe(2);
    expect(await relayStatus(running)).toMatchObject({ status: 'live', lastError: null });
  });

  it('creates its stream as soon as NATS answers, before it has anything to publish, and reports one that differs', async () => {
    config = relayConfig();
    broker = await brokerOn(await connectTo(NATS_URL));
    // An empty log: nothing is published, so only the check at start can create the stream.
    running = await startTestApp({ databaseUrl: scratch.url, integration: config });
    let info!: StreamInfo;
    await eventually(async () => {
      info = await broker!.jsm.streams.info(config!.stream);
    }, 10_000);
    expect(info.config.subjects).toEqual(expectedStream(config).subjects);
    expect(info.state.messages).toBe(0);
    await running.close();
    running = undefined;

    await broker.jsm.streams.update(config.stream, { ...info.config, max_msgs: 3 });
    const other = await scratchDatabase();
    try {
      running = await startTestApp({ databaseUrl: other.url, integration: config });
      await eventually(async () => {
        const metrics = await request(running!.app.getHttpServer()).get('/metrics').expect(200);
        expect(metrics.text).toMatch(/chronicle_relay_stream_config_differences 1/);
      }, 10_000);
      expect((await broker.jsm.streams.info(config.stream)).state.messages).toBe(0);
    } finally {
      await running?.close();
      running = undefined;
      await other.drop();
    }
  });

  it('says why a full stream stops it: the setting that differs and the refusal (review finding 4)', async () => {
    config = relayConfig();
    broker = await brokerOn(await connectTo(NATS_URL));
    await broker.jsm.streams.add({
      ...expectedStream(config),
      max_msgs: 3,
      discard: 'new',
    } as Partial<StreamConfig>);
    running = await startTestApp({ databaseUrl: scratch.url, integration: config });
    const api = accountsApi(running.app.getHttpServer());
    const account = await api.open({ ownerName: 'Ada Lovelace', initialDeposit: 100 });
    for (let i = 0; i < 3; i++) await api.deposit(account.id, 10 + i, `gift ${i}`);
    await eventually(async () => {
      expect((await relayStatus(running!)).lastError).toMatch(/maximum messages/);
    }, 20_000);
    const metrics = await request(running.app.getHttpServer()).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/chronicle_relay_stream_config_differences 1/);
  });
});
