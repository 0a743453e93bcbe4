import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { StorageType, type NatsConnection } from 'nats';
import { scratchDatabase, type ScratchDatabase } from './support/database.js';
import { eventually } from './support/eventually.js';
import {
  contractPublisher,
  natsOrSkip,
  processedCount,
  readLedger,
  removeCompiledConsumer,
  settled,
  startConsumerProcess,
  type ConsumerProcess,
} from './support/ledger-consumer.js';
import { connectTo, OwnNatsServer } from './support/nats.js';

// The machine's NATS tells whether NATS can run here; the suite kills and restarts a server of its own.
const nats = await natsOrSkip('test/ledger-consumer-nats-restart.e2e-spec.ts');
await nats?.close();

(nats ? describe : describe.skip)('the ledger consumer across a restart of NATS', () => {
  const stream = 'LEDGER';
  const durable = 'ledger';
  let server: OwnNatsServer;
  let nc: NatsConnection;
  let scratch: ScratchDatabase;
  let consumer: ConsumerProcess | undefined;

  beforeAll(async () => {
    server = await OwnNatsServer.start();
    nc = await connectTo(server.url);
    scratch = await scratchDatabase(4);
  });
  afterAll(async () => {
    consumer?.process.kill('SIGKILL');
    await consumer?.exited;
    removeCompiledConsumer();
    await nc.close();
    await server.stop();
    await scratch.drop();
  });

  it('reconnects by itself and applies what was published before, during and after, once', async () => {
    const jsm = await nc.jetstreamManager();
    // On disk, as the relay makes it: the stream and the durable consumer outlive the server's death.
    await jsm.streams.add({ name: stream, subjects: ['chronicle.>'], storage: StorageType.File });
    const { event, publish } = contractPublisher(nc.jetstream(), 'chronicle');
    consumer = startConsumerProcess({
      NATS_URL: server.url,
      NATS_STREAM: stream,
      LEDGER_CONSUMER: durable,
      LEDGER_DATABASE_URL: scratch.url,
      LEDGER_ACK_WAIT_MS: '2000',
    });
    const accountId = randomUUID();
    const deposit = () => event('MoneyDeposited', { accountId, amount: 10, source: 'cash' });
    await publish(event('AccountOpened', { accountId, ownerId: null, currency: 'EUR' }));
    for (let i = 0; i < 50; i++) await publish(deposit());
    await eventually(async () => expect(await processedCount(scratch.pool)).toBe(51), 20_000);

    // Killed while the consumer is idle between pulls, and again while it catches up.
    for (let round = 0; round < 2; round++) {
      await server.kill();
      await sleep(1_000);
      await server.restart();
      await eventually(async () => {
        await jsm.streams.info(stream);
      }, 20_000);
      await Promise.all(Array.from({ length: 100 }, () => publish(deposit())));
    }
    await settled(jsm, stream, durable, 60_000);

    const ledger = await readLedger(scratch.pool);
    expect(ledger.accounts).toEqual([{ accountId, currency: 'EUR', balance: 250 * 10 }]);
    expect(ledger.entries).toHaveLength(250);
    expect(ledger.deadLetters).toEqual([]);
    expect(consumer.process.exitCode).toBeNull();
  }, 120_000);
});
