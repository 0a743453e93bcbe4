import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JetStreamManager } from 'nats';
import { foldAccounts } from './support/account-fold.js';
import { scratchDatabase, type ScratchDatabase } from './support/database.js';
import { eventually } from './support/eventually.js';
import request from './support/http.js';
import {
  NATS_URL,
  natsOrSkip,
  processedCount,
  readLedger,
  removeCompiledConsumer,
  settled,
  startConsumerProcess,
  type ConsumerProcess,
} from './support/ledger-consumer.js';
import { deleteStream, relayConfig } from './support/nats.js';
import { mappedLog } from './support/relay-log.js';
import { forkTsChild, type TsChild } from './support/ts-child.js';

const nats = await natsOrSkip('test/ledger-consumer.e2e-spec.ts');
const describeWithNats = nats ? describe : describe.skip;

interface AppProcess extends TsChild {
  url: string;
}

/** The app, with its relay publishing to `integration`'s stream, in a child process; resolves once it listens. */
async function startApp(databaseUrl: string, integration: object): Promise<AppProcess> {
  const child = forkTsChild('./app.child.ts', {
    CHRONICLE_TEST_DATABASE_URL: databaseUrl,
    CHRONICLE_TEST_OVERRIDES: JSON.stringify({ integration }),
  });
  const port = await Promise.race([
    new Promise<number>((resolve) =>
      child.process.once('message', (m) => resolve((m as { port: number }).port)),
    ),
    child.exited.then(() =>
      Promise.reject(new Error(`the app exited before listening:\n${child.output()}`)),
    ),
  ]);
  return { ...child, url: `http://127.0.0.1:${port}` };
}

async function kill(child: TsChild | ConsumerProcess): Promise<void> {
  child.process.kill('SIGKILL');
  await child.exited;
}

/** A request cut by the app's death: refused, reset or hung up. */
function cutByTheKill(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? '';
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'EPIPE'].includes(code) ||
    /socket hang up/.test((error as Error).message)
  );
}

describeWithNats('the ledger consumer next to the app, both killed at random under load', () => {
  // A stream and subjects of its own: nothing else publishes there, nothing else reads it.
  const integration = relayConfig();
  let jsm: JetStreamManager;
  let store: ScratchDatabase;
  let ledgerDatabase: ScratchDatabase;
  let app: AppProcess | undefined;
  let consumer: ConsumerProcess | undefined;

  beforeAll(async () => {
    jsm = await nats!.jetstreamManager();
    store = await scratchDatabase(4);
    ledgerDatabase = await scratchDatabase(4);
  });
  afterAll(async () => {
    if (app) await kill(app);
    if (consumer) await kill(consumer);
    removeCompiledConsumer();
    await deleteStream(jsm, integration.stream);
    await nats!.close();
    await store.drop();
    await ledgerDatabase.drop();
  });

  const startConsumer = () =>
    startConsumerProcess({
      NATS_URL,
      NATS_STREAM: integration.stream,
      LEDGER_FILTER_SUBJECT: `${integration.subjectPrefix}.accounts.>`,
      LEDGER_CONSUMER: 'ledger',
      LEDGER_DATABASE_URL: ledgerDatabase.url,
      LEDGER_ACK_WAIT_MS: '2000',
    });

  it('ends with the ledger equal to a fold of the event store: every event once, none missing', async () => {
    app = await startApp(store.url, integration);
    consumer = startConsumer();
    const accounts: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await request(app.url)
        .post('/accounts')
        .send({ ownerName: `Owner ${i}`, currency: 'EUR', initialDeposit: 5_000 })
        .expect(201);
      accounts.push(res.body.id as string);
    }

    // Deposits and withdrawals (some refused) from six clients; what the kills cut is retried by nobody.
    let loading = true;
    const answered: Record<number, number> = {};
    const failures: unknown[] = [];
    let cut = 0;
    const client = async () => {
      while (loading && failures.length === 0) {
        const account = accounts[randomInt(accounts.length)];
        const kind = randomInt(3) > 0 ? 'deposits' : 'withdrawals';
        try {
          const res = await request(app!.url)
            .post(`/accounts/${account}/${kind}`)
            .send({ amount: randomInt(1, 5_000) });
          answered[res.status] = (answered[res.status] ?? 0) + 1;
          if (![201, 422].includes(res.status)) failures.push(`${res.status} ${res.text}`);
        } catch (error) {
          if (!cutByTheKill(error)) failures.push(error);
          cut += 1;
          await sleep(100);
        }
      }
    };
    const load = Promise.all(Array.from({ length: 6 }, client));

    // The consumer is also killed while it catches up with what piled up while it was away: mid-batch, between a
    // commit and its ack.
    const consumers: ConsumerProcess[] = [consumer];
    const restartConsumer = () => consumers.push((consumer = startConsumer()));
    for (let round = 0; round < 5; round++) {
      await sleep(randomInt(500, 3_000));
      const victims = (['consumer', 'app', 'both'] as const)[randomInt(3)];
      if (victims !== 'app') await kill(consumer);
      if (victims !== 'consumer') await kill(app);
      await sleep(randomInt(0, 1_500));
      if (victims !== 'app') restartConsumer();
      if (victims !== 'consumer') app = await startApp(store.url, integration);
      if (victims === 'app') continue;
      const catchingUp = consumer;
      await eventually(async () => expect(catchingUp.output()).toMatch(/"consuming"/), 30_000);
      await sleep(randomInt(0, 300));
      await kill(consumer);
      restartConsumer();
    }
    await sleep(1_000);
    loading = false;
    await load;
    expect(failures).toEqual([]);
    expect(answered[201]).toBeGreaterThan(50);

    const published = await mappedLog(store.pool);
    const log = published.filter((e) => e.streamId.startsWith('account-'));
    const money = log.filter((e) => e.type === 'MoneyDeposited' || e.type === 'MoneyWithdrawn');
    await eventually(
      async () => expect(await processedCount(ledgerDatabase.pool)).toBe(log.length),
      60_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\napp:\n${app!.output()}\nconsumer:\n${consumer!.output()}`);
    });

    await settled(jsm, integration.stream, 'ledger');
    const ledger = await readLedger(ledgerDatabase.pool);
    const fold = foldAccounts(log);
    expect(ledger.accounts).toEqual(
      fold.balances.map((b) => ({ accountId: b.id, currency: b.currency, balance: b.balance })),
    );
    expect(ledger.processed).toEqual(log.map((e) => e.eventId).sort());
    expect(ledger.entries).toHaveLength(money.length);
    expect(ledger.entries.map((e) => e.messageId).sort()).toEqual(
      money.map((e) => e.eventId).sort(),
    );
    expect(ledger.deadLetters).toEqual([]);
    // The relay's half: the stream holds each event once, whatever the kills made the relay send again.
    expect((await jsm.streams.info(integration.stream)).state.messages).toBe(published.length);
    const duplicates = consumers
      .flatMap((c) => [...c.output().matchAll(/"duplicates":(\d+)/g)])
      .reduce((sum, [, n]) => sum + Number(n), 0);
    process.stdout.write(
      `ledger crash test: ${log.length} account events, answers ${JSON.stringify(answered)}, ` +
        `${cut} requests cut by a kill, ${consumers.length} consumer processes, at least ${duplicates} duplicates skipped\n`,
    );
  }, 480_000);
});
