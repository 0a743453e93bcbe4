import { randomBytes, randomUUID } from 'node:crypto';
import { nanos, StorageType, type JetStreamClient, type JetStreamManager } from 'nats';
import { parseMessage } from '../examples/ledger-consumer/src/contract.js';
import { apply } from '../examples/ledger-consumer/src/ledger.js';
import { scratchDatabase, type ScratchDatabase } from './support/database.js';
import { eventually } from './support/eventually.js';
import {
  contractPublisher,
  NATS_URL,
  natsOrSkip,
  processedCount,
  readLedger,
  removeCompiledConsumer,
  settled as consumerSettled,
  startConsumerProcess,
  type ConsumerProcess,
  type ContractEvent,
} from './support/ledger-consumer.js';
import { pgProxy, type PgProxy } from './support/pg-proxy.js';

const nats = await natsOrSkip('test/ledger-consumer-delivery.e2e-spec.ts');
const describeWithNats = nats ? describe : describe.skip;
const kill = async (consumer: ConsumerProcess) => {
  consumer.process.kill('SIGKILL');
  await consumer.exited;
};
const text = (value: string) => new TextEncoder().encode(value);
const encode = (value: unknown) => text(JSON.stringify(value));

// The consumer alone, fed the contract's messages by hand on a stream of its own: no app, no relay.
describeWithNats('the ledger consumer applies each message once', () => {
  let jsm: JetStreamManager;
  let js: JetStreamClient;
  let scratch: ScratchDatabase;
  let proxy: PgProxy | undefined;
  let run: { stream: string; prefix: string; durable: string };
  let consumers: ConsumerProcess[] = [];
  let event: ReturnType<typeof contractPublisher>['event'];
  let publish: ReturnType<typeof contractPublisher>['publish'];

  beforeAll(async () => {
    jsm = await nats!.jetstreamManager();
    js = nats!.jetstream();
  });
  beforeEach(async () => {
    scratch = await scratchDatabase(4);
    const tag = randomBytes(4).toString('hex');
    run = { stream: `LEDGER_TEST_${tag}`, prefix: `ledgertest_${tag}`, durable: `ledger_${tag}` };
    ({ event, publish } = contractPublisher(js, run.prefix));
    // A short duplicate window: a republished message reaches the consumer as the relay's replay would.
    await jsm.streams.add({
      name: run.stream,
      subjects: [`${run.prefix}.>`],
      storage: StorageType.Memory,
      duplicate_window: nanos(500),
    });
  });
  afterEach(async () => {
    for (const consumer of consumers) consumer.process.kill('SIGKILL');
    await Promise.all(consumers.map((consumer) => consumer.exited));
    consumers = [];
    await proxy?.close();
    proxy = undefined;
    await jsm.streams.delete(run.stream).catch(() => undefined);
    await scratch.drop();
  });
  afterAll(async () => {
    removeCompiledConsumer();
    await nats?.close();
  });

  function start(env: Record<string, string> = {}): ConsumerProcess {
    const consumer = startConsumerProcess({
      NATS_URL,
      NATS_STREAM: run.stream,
      LEDGER_CONSUMER: run.durable,
      LEDGER_FILTER_SUBJECT: `${run.prefix}.accounts.>`,
      LEDGER_DATABASE_URL: scratch.url,
      LEDGER_ACK_WAIT_MS: '1000',
      ...env,
    });
    consumers.push(consumer);
    return consumer;
  }

  const settled = () => consumerSettled(jsm, run.stream, run.durable);

  const history = (accountId: string) => [
    event('AccountOpened', { accountId, ownerId: null, currency: 'EUR' }),
    event('MoneyDeposited', { accountId, amount: 1_000, source: 'cash' }),
    event('MoneyDeposited', { accountId, amount: 250, source: 'transfer' }),
    event('MoneyWithdrawn', { accountId, amount: 300 }),
    event('WithdrawalRejected', { accountId, amount: 5_000, reason: 'insufficient-funds' }),
    event('PersonalDataErased', { accountId }),
  ];

  it('keeps the balance and one entry per money movement; a republished message changes nothing', async () => {
    const accountId = randomUUID();
    const events = history(accountId);
    for (const e of events) await publish(e);
    start();
    await eventually(async () => expect(await processedCount(scratch.pool)).toBe(6), 20_000);

    // Past the duplicate window the stream takes the same event again, as `relay replay` would send it.
    await new Promise((resolve) => setTimeout(resolve, 600));
    const again = await publish(events[2]);
    expect(again.duplicate).toBe(false);
    await settled();

    const ledger = await readLedger(scratch.pool);
    expect(ledger.accounts).toEqual([{ accountId, currency: 'EUR', balance: 950 }]);
    expect(ledger.entries.map((e) => [e.messageId, e.amount])).toEqual([
      [events[1].id, 1_000],
      [events[2].id, 250],
      [events[3].id, -300],
    ]);
    expect(ledger.processed).toEqual(events.map((e) => e.id).sort());
    expect(ledger.deadLetters).toEqual([]);
  });

  it('applies once what it committed but never acknowledged (killed between the commit and the ack)', async () => {
    // The consumer makes its schema and durable consumer, and stops on SIGTERM at once, cleanly.
    const first = start();
    await eventually(async () => {
      await jsm.consumers.info(run.stream, run.durable);
    }, 20_000);
    first.process.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });

    const accountId = randomUUID();
    const events = history(accountId).slice(0, 3);
    for (const e of events) await publish(e);
    // What the consumer does up to the ack, then no ack: as if killed right after its commits.
    const durable = await js.consumers.get(run.stream, run.durable);
    for (let i = 0; i < events.length; i++) {
      const message = await durable.next({ expires: 5_000 });
      expect(message).not.toBeNull();
      expect(await apply(scratch.pool, parseMessage(message!.headers, message!.data))).toBe(
        'applied',
      );
    }
    const info = await jsm.consumers.info(run.stream, run.durable);
    expect(info.num_ack_pending).toBe(3);

    // Delivered again after the ack wait, acknowledged as duplicates: nothing pending, the balance counted once.
    start();
    await settled();
    const ledger = await readLedger(scratch.pool);
    expect(ledger.accounts).toEqual([{ accountId, currency: 'EUR', balance: 1_250 }]);
    expect(ledger.entries).toHaveLength(2);
  });

  it('stops on SIGTERM after the message in hand, and hands back at once what it held', async () => {
    const accountId = randomUUID();
    const deposits = Array.from({ length: 1_500 }, () =>
      event('MoneyDeposited', { accountId, amount: 1, source: 'cash' }),
    );
    await publish(history(accountId)[0]);
    for (let i = 0; i < deposits.length; i += 100)
      await Promise.all(deposits.slice(i, i + 100).map((e) => publish(e)));
    // A minute of ack wait: what the first one held reaches the second one long before, or was not handed back.
    const env = { LEDGER_ACK_WAIT_MS: '60000' };
    const first = start(env);
    await eventually(
      async () => expect(await processedCount(scratch.pool)).toBeGreaterThan(0),
      20_000,
    );
    first.process.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(await processedCount(scratch.pool)).toBeLessThan(1 + deposits.length);

    start(env);
    await settled();
    const ledger = await readLedger(scratch.pool);
    expect(ledger.accounts).toEqual([{ accountId, currency: 'EUR', balance: deposits.length }]);
    expect(ledger.entries).toHaveLength(deposits.length);
  });

  it('applies each message once with two instances of the same durable consumer pulling at once', async () => {
    const accountId = randomUUID();
    const deposits = Array.from({ length: 600 }, (_, i) =>
      event('MoneyDeposited', { accountId, amount: i + 1, source: 'cash' }),
    );
    start({ LEDGER_BATCH: '10' });
    start({ LEDGER_BATCH: '10' });
    await publish(history(accountId)[0]);
    for (let i = 0; i < deposits.length; i += 100)
      await Promise.all(deposits.slice(i, i + 100).map((e) => publish(e)));
    await settled();

    const ledger = await readLedger(scratch.pool);
    expect(ledger.accounts).toEqual([{ accountId, currency: 'EUR', balance: (600 * 601) / 2 }]);
    expect(ledger.entries).toHaveLength(600);
    // Both made the schema at once, and both are still running.
    expect(consumers.map((c) => c.process.exitCode)).toEqual([null, null]);
  });

  it('dead-letters a poison message after max_deliver deliveries, and goes on with the others', async () => {
    const accountId = randomUUID();
    const good = history(accountId).slice(0, 2);
    const notJson = 'the payload is not JSON in UTF-8';
    const badAmount = 'amount is not a positive integer of minor units';
    const v1 = (type: string, data: Record<string, unknown> = { accountId, amount: 7 }) =>
      event(type, data);
    const poison: Array<{
      e: ContractEvent;
      reason: string;
      headers?: Record<string, string>;
      payload?: Uint8Array;
    }> = [
      { e: v1('MoneyDeposited'), payload: text('{"amount": 1'), reason: notJson },
      { e: v1('MoneyDeposited'), payload: Uint8Array.from([0x7b, 0xff, 0x7d]), reason: notJson },
      {
        e: v1('MoneyDeposited'),
        payload: encode([accountId, 5]),
        reason: 'the payload is not a JSON object',
      },
      {
        e: v1('MoneyDeposited'),
        headers: { 'Chronicle-Event-Type': 'accounts.v2.MoneyDeposited' },
        reason: 'unknown version of accounts.MoneyDeposited',
      },
      {
        e: v1('MoneyDeposited'),
        headers: { 'Chronicle-Schema-Version': '2' },
        reason: 'unknown version of accounts.MoneyDeposited',
      },
      { e: v1('MoneyTeleported'), reason: 'unknown event type accounts.v1.MoneyTeleported' },
      {
        e: v1('MoneyDeposited'),
        headers: { 'Chronicle-Event-Type': 'accounts.v1.Money\u0000Deposited' },
        reason: 'unknown event type accounts.v1.Money\uFFFDDeposited',
      },
      {
        e: v1('MoneyDeposited'),
        headers: { 'Nats-Msg-Id': '' },
        reason: 'Nats-Msg-Id is not a uuid',
      },
      { e: v1('MoneyDeposited', { accountId, amount: -7 }), reason: badAmount },
      { e: v1('MoneyDeposited', { accountId, amount: 0.5 }), reason: badAmount },
      { e: v1('MoneyDeposited', { accountId, amount: 1e300 }), reason: badAmount },
      { e: v1('MoneyWithdrawn', { accountId, amount: '7' }), reason: badAmount },
      {
        e: v1('MoneyDeposited', { accountId: 'ab\u0000c', amount: 7 }),
        reason: 'accountId is not a uuid',
      },
      {
        e: v1('AccountOpened', { accountId, currency: 'E\uD800R' }),
        reason: 'currency is not an ISO 4217 code',
      },
      {
        e: v1('MoneyDeposited'),
        headers: { 'Chronicle-Position': '9'.repeat(30) },
        reason: 'Chronicle-Position is not a positive bigint',
      },
    ];
    await publish(good[0]);
    for (const { e, headers, payload } of poison) await publish(e, headers, payload);
    await publish(good[1]);

    const consumer = start({ LEDGER_ACK_WAIT_MS: '300', LEDGER_MAX_DELIVER: '3' });
    await eventually(async () => {
      const ledger = await readLedger(scratch.pool);
      expect(ledger.deadLetters).toHaveLength(poison.length);
    }, 30_000);
    await settled();

    const ledger = await readLedger(scratch.pool);
    expect(ledger.accounts).toEqual([{ accountId, currency: 'EUR', balance: 1_000 }]);
    expect(ledger.processed).toEqual(good.map((e) => e.id).sort());
    expect(ledger.deadLetters.map((d) => d.deliveries)).toEqual(poison.map(() => 3));
    expect(ledger.deadLetters[0].payload.toString()).toBe('{"amount": 1');
    expect(ledger.deadLetters.map((d) => d.reason)).toEqual(poison.map((p) => p.reason));
    // Given up on for good: nothing is delivered again.
    const { num_redelivered } = await jsm.consumers.info(run.stream, run.durable);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await jsm.consumers.info(run.stream, run.durable)).num_redelivered).toBe(
      num_redelivered,
    );
    expect(consumer.process.exitCode).toBeNull();
  });

  it('spends no deliveries while its database is down, even killed then', async () => {
    proxy = await pgProxy(scratch.url);
    const env = {
      LEDGER_DATABASE_URL: proxy.url(scratch.url),
      LEDGER_ACK_WAIT_MS: '300',
      // The kill spends one delivery, and may spend one more: the dead process's pull stays open on the server
      // until it expires, and a redelivery can go there.
      LEDGER_MAX_DELIVER: '3',
    };
    const first = start(env);
    await eventually(async () => {
      await jsm.consumers.info(run.stream, run.durable);
    }, 20_000);
    proxy.drop();
    const accountId = randomUUID();
    const events = history(accountId).slice(0, 3);
    for (const e of events) await publish(e);
    // The whole redelivery budget (300 ms, 600 ms, then the last delivery) passes twice while the database is
    // away; then the consumer dies, and the next one finds every message still to be delivered.
    await eventually(async () => expect(first.output()).toMatch(/the database failed/), 10_000);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await kill(first);
    proxy.restore();
    start(env);
    await settled();

    const ledger = await readLedger(scratch.pool);
    expect(ledger.deadLetters).toEqual([]);
    expect(ledger.accounts).toEqual([{ accountId, currency: 'EUR', balance: 1_250 }]);
  });

  it('refuses bad settings at start, naming them', async () => {
    const consumer = start({ LEDGER_MAX_DELIVER: '1', LEDGER_DATABASE_URL: scratch.url });
    expect((await consumer.exited).code).toBe(1);
    expect(consumer.output()).toMatch(/LEDGER_MAX_DELIVER must be an integer from 2 to 100/);
    const leaky = start({ LEDGER_DATABASE_URL: 'mysql://user:s3cret@db/ledger' });
    expect((await leaky.exited).code).toBe(1);
    expect(leaky.output()).toMatch(/LEDGER_DATABASE_URL must be a URL like postgres:/);
    expect(leaky.output()).not.toMatch(/s3cret/);
  });
});
