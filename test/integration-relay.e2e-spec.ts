import type { RunningApp } from '../src/app.factory.js';
import type { IntegrationConfig } from '../src/config/integration-config.js';
import { ProjectionRunner } from '../src/projections/index.js';
import { accountsApi } from './support/accounts-api.js';
import { scratchDatabase, type ScratchDatabase } from './support/database.js';
import { eventually } from './support/eventually.js';
import request from './support/http.js';
import { type Broker, brokerOn, deleteStream, natsOrSkip, relayConfig } from './support/nats.js';
import { asyncApiValidator, mappedLog, received } from './support/relay-log.js';
import { startTestApp } from './support/test-app.js';

const nats = await natsOrSkip('test/integration-relay.e2e-spec.ts');

(nats ? describe : describe.skip)('the relay to NATS JetStream', () => {
  let scratch: ScratchDatabase;
  let config: IntegrationConfig;
  let broker: Broker;
  let running: RunningApp;

  beforeAll(async () => {
    scratch = await scratchDatabase();
    config = relayConfig();
    broker = await brokerOn(nats!);
    running = await startTestApp({ databaseUrl: scratch.url, integration: config });
  });
  afterAll(async () => {
    await running?.close();
    if (broker) await deleteStream(broker.jsm, config.stream);
    await nats?.close();
    await scratch?.drop();
  });

  it('publishes every integration event of the HTTP commands exactly once, in commit order, with the headers and payloads of the contract', async () => {
    const server = running.app.getHttpServer();
    const api = accountsApi(server);
    const accounts = await Promise.all(
      ['Ada Lovelace', 'Grace Hopper', 'Edsger Dijkstra'].map((ownerName) =>
        api.open({ ownerName, initialDeposit: 1_000 }),
      ),
    );
    // Concurrent commands: positions are drawn in one order and committed in another.
    await Promise.all(
      Array.from({ length: 60 }, (_, i) => api.deposit(accounts[i % 3].id, 100 + i, `gift ${i}`)),
    );
    await api
      .http()
      .post(`/accounts/${accounts[0].id}/withdrawals`)
      .send({ amount: 500 })
      .expect(201);
    await api
      .http()
      .post(`/accounts/${accounts[1].id}/withdrawals`)
      .send({ amount: 1_000_000 })
      .expect(422);
    await api.http().delete(`/accounts/${accounts[2].id}/personal-data`).expect(200);

    const expected = await mappedLog(scratch.pool);
    expect(expected).toHaveLength(3 * 2 + 60 + 1 + 1 + 1);
    const head = Math.max(...expected.map((e) => e.position));
    expect(
      await running.app.get(ProjectionRunner).waitFor(head, ['integration-relay'], 15_000),
    ).toBe(true);

    const messages = (await broker.messages(config.stream)).map(received);
    expect(messages.map((m) => m.headers['Nats-Msg-Id'])).toEqual(expected.map((e) => e.eventId));
    const context: Record<string, string> = {
      AccountOpened: 'accounts.AccountOpened',
      MoneyDeposited: 'accounts.MoneyDeposited',
      MoneyWithdrawn: 'accounts.MoneyWithdrawn',
      WithdrawalRejected: 'accounts.WithdrawalRejected',
      PersonalDataErased: 'accounts.PersonalDataErased',
    };
    expected.forEach((event, i) => {
      const { subject, headers: sent } = messages[i];
      expect(subject).toBe(`${config.subjectPrefix}.${context[event.type]}`);
      // Chained: the first of a batch on the stream's last sequence, every next one on the id before it.
      const {
        'Nats-Expected-Last-Sequence': lastSequence,
        'Nats-Expected-Last-Msg-Id': lastMsgId,
        ...headers
      } = sent;
      if (lastMsgId === undefined) expect(lastSequence ?? String(i)).toBe(String(i));
      else expect([lastSequence, lastMsgId]).toEqual([undefined, expected[i - 1].eventId]);
      expect(headers).toEqual({
        'Nats-Msg-Id': event.eventId,
        'Chronicle-Event-Type': `accounts.v1.${event.type}`,
        'Chronicle-Position': String(event.position),
        'Chronicle-Transaction-Id': event.transactionId,
        'Chronicle-Stream-Id': event.streamId,
        'Chronicle-Stream-Version': String(event.streamVersion),
        'Chronicle-Schema-Version': '1',
        'Chronicle-Correlation-Id': event.metadata.correlationId,
        'Chronicle-Recorded-At': event.recordedAt.toISOString(),
        'Content-Type': 'application/json',
      });
    });
    const payloadOf = (type: string) =>
      messages.filter((m) => m.headers['Chronicle-Event-Type'] === `accounts.v1.${type}`);
    expect(payloadOf('MoneyDeposited').map((m) => m.payload)).toEqual(
      expected
        .filter((e) => e.type === 'MoneyDeposited')
        .map((e) => ({ accountId: e.data.accountId, amount: e.data.amount, source: 'unknown' })),
    );
    expect(payloadOf('WithdrawalRejected').map((m) => m.payload)).toEqual([
      { accountId: accounts[1].id, amount: 1_000_000, reason: 'insufficient-funds' },
    ]);

    // The document the app serves describes every message it sent.
    const document = (await request(server).get('/asyncapi.json').expect(200)).body;
    const validate = asyncApiValidator(document);
    expect(messages.flatMap(validate)).toEqual([]);
    for (const { headers, subject } of messages) {
      const channel = Object.values(
        document.channels as Record<string, { address: string; title: string }>,
      ).find((c) => c.title === headers['Chronicle-Event-Type']);
      expect(channel?.address).toBe(subject);
    }
  });

  it('never publishes personal data: an erased account, like every other, goes out with ids, amounts and codes only', async () => {
    const messages = (await broker.messages(config.stream)).map(received);
    for (const name of ['Ada Lovelace', 'Grace Hopper', 'Edsger Dijkstra', 'gift 1', '[erased]'])
      expect(messages.filter((m) => m.raw.includes(name))).toEqual([]);
    const keys = (type: string) => [
      ...new Set(
        messages
          .filter((m) => m.headers['Chronicle-Event-Type'] === `accounts.v1.${type}`)
          .map((m) => Object.keys(m.payload).sort().join(',')),
      ),
    ];
    expect(keys('AccountOpened')).toEqual(['accountId,currency,ownerId']);
    expect(keys('MoneyDeposited')).toEqual(['accountId,amount,source']);
    expect(keys('PersonalDataErased')).toEqual(['accountId']);
  });

  it('relays as a projection: listed in /admin/projections, live at the head, with its metrics', async () => {
    const status = await request(running.app.getHttpServer()).get('/admin/projections').expect(200);
    expect(
      (status.body.projections as Array<{ name: string }>).find(
        (p) => p.name === 'integration-relay',
      ),
    ).toMatchObject({ status: 'live', lagEvents: 0, lastError: null });
    await eventually(async () => {
      const metrics = await request(running.app.getHttpServer()).get('/metrics').expect(200);
      expect(metrics.text).toMatch(/chronicle_relay_acks_total\{outcome="stored"\} 69/);
      expect(metrics.text).toMatch(/chronicle_relay_in_flight 0/);
      expect(metrics.text).toMatch(/chronicle_relay_stream_config_differences 0/);
    });
  });
});
