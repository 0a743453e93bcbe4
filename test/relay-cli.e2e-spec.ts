import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningApp } from '../src/app.factory.js';
import type { IntegrationConfig } from '../src/config/integration-config.js';
import type { Checkpoint } from '../src/event-store/index.js';
import { ProjectionRunner } from '../src/projections/index.js';
import { accountsApi } from './support/accounts-api.js';
import { builtDist, ROOT } from './support/built-dist.js';
import { scratchDatabase, type ScratchDatabase } from './support/database.js';
import {
  readLedger,
  removeCompiledConsumer,
  settled,
  startConsumerProcess,
} from './support/ledger-consumer.js';
import {
  type Broker,
  brokerOn,
  deleteStream,
  freePort,
  NATS_URL,
  natsOrSkip,
  relayConfig,
} from './support/nats.js';
import { mappedLog, received } from './support/relay-log.js';
import { startTestApp, testConfig } from './support/test-app.js';

const CLI = join(ROOT, 'dist', 'cli', 'relay.js');
const RELAY = 'integration-relay';
const STACK_FRAME = /^\s+at /m;
/** The duplicate window the gap's test shortens the stream's to, and waits out. */
const WINDOW_MS = 8_000;

/** `dist/` as the process runs it, built when missing or stale (support/built-dist). */
const buildWhenStale = async (): Promise<void> => void (await builtDist('cli/relay.js'));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run relay -- <args>` without the build step: node dist/cli/relay.js, in a process of its own. */
function relayCli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH, NODE_ENV: 'test', ...env }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** `status`'s `label: value` lines as a record. */
function fields(stdout: string): Record<string, string> {
  return Object.fromEntries(
    stdout
      .split('\n')
      .map((line) => /^([a-zA-Z][a-zA-Z ]*):\s+(.*)$/.exec(line))
      .filter((m) => m !== null)
      .map((m) => [m[1], m[2]]),
  );
}

describe('npm run relay: bad arguments', () => {
  beforeAll(buildWhenStale, 300_000);

  it.each([
    ['replay without --from', ['replay'], /required option '--from <position>'/],
    ['a negative position', ['replay', '--from', '-3'], /'-3' is invalid/],
    ['position 0', ['replay', '--from', '0'], /'0' is invalid/],
    ['a fraction', ['replay', '--from', '2.5'], /'2.5' is invalid/],
    ['an exponent', ['replay', '--from', '1e3'], /'1e3' is invalid/],
    ['a word', ['replay', '--from', 'head'], /'head' is invalid/],
    ['a position past 2^53', ['replay', '--from', '9007199254740993'], /is invalid/],
    ['a position of 30 digits', ['replay', '--from', '9'.repeat(30)], /is invalid/],
    ['an unknown subcommand', ['rewind'], /unknown command 'rewind'/],
    ['an extra argument', ['status', 'now'], /too many arguments/],
    ['an unknown option', ['status', '--verbose'], /unknown option '--verbose'/],
  ])('refuses %s: exit 2 and the usage, nothing done', async (_, args, message) => {
    // No database, no NATS: a refused command line never gets as far as either.
    const { code, stdout, stderr } = await relayCli(args, {
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
      NATS_URL: 'nats://127.0.0.1:1',
    });
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toMatch(message);
    expect(stderr).toMatch(/^Usage: npm run relay -- /m);
    expect(stderr).not.toMatch(STACK_FRAME);
  });

  it('prints the usage with no subcommand at all (exit 2)', async () => {
    const { code, stderr } = await relayCli([]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^Usage: npm run relay -- \[options\] \[command\]/m);
    expect(stderr).toMatch(/status/);
    expect(stderr).toMatch(/replay/);
    expect(stderr).not.toMatch(STACK_FRAME);
  });
});

const nats = await natsOrSkip('test/relay-cli.e2e-spec.ts');

(nats ? describe : describe.skip)('npm run relay: status and replay', () => {
  let scratch: ScratchDatabase;
  let config: IntegrationConfig;
  let broker: Broker;
  let running: RunningApp | undefined;
  let env: Record<string, string>;
  let writer: RunningApp | undefined;
  let accounts: string[];

  const api = () => accountsApi(running!.app.getHttpServer());
  const streamState = async () => (await broker.jsm.streams.info(config.stream)).state;
  const streamIds = async () =>
    (await broker.messages(config.stream)).map((m) => m.header?.get('Nats-Msg-Id'));
  const headPosition = async (): Promise<number> =>
    (await scratch.pool.query('SELECT max(global_position)::int AS head FROM events')).rows[0].head;
  const relayAtHead = async () => {
    const log = await mappedLog(scratch.pool);
    const head = log[log.length - 1].position;
    expect(await running!.app.get(ProjectionRunner).waitFor(head, [RELAY], 15_000)).toBe(true);
  };

  const storedCheckpoint = async (): Promise<Checkpoint> => {
    const [row] = (
      await scratch.pool.query(
        'SELECT transaction_id::text AS "transactionId", global_position::int AS position FROM projection_checkpoints WHERE name = $1',
        [RELAY],
      )
    ).rows as Checkpoint[];
    return row;
  };

  beforeAll(async () => {
    await buildWhenStale();
    scratch = await scratchDatabase();
    config = relayConfig();
    broker = await brokerOn(nats!);
    running = await startTestApp({ databaseUrl: scratch.url, integration: config });
    env = {
      DATABASE_URL: scratch.url,
      NATS_URL,
      NATS_STREAM: config.stream,
      NATS_SUBJECT_PREFIX: config.subjectPrefix,
    };
    const opened = await Promise.all(
      ['Ada', 'Grace'].map((ownerName) => api().open({ ownerName, initialDeposit: 1_000 })),
    );
    accounts = opened.map((a) => a.id);
    for (let i = 0; i < 10; i++) await api().deposit(accounts[i % 2], 100 + i, `gift ${i}`);
    await relayAtHead();
  }, 300_000);
  afterAll(async () => {
    removeCompiledConsumer();
    await running?.close();
    await writer?.close();
    if (broker) await deleteStream(broker.jsm, config.stream);
    await nats?.close();
    await scratch?.drop();
  });

  it('status: the relay, its checkpoint, the log head and lag, the stream and its settings (exit 0)', async () => {
    const log = await mappedLog(scratch.pool);
    const last = log[log.length - 1];
    const checkpoint = await storedCheckpoint();
    const { code, stdout, stderr } = await relayCli(['status'], env);
    expect(code).toBe(0);
    expect(stderr).not.toMatch(STACK_FRAME);
    expect(fields(stdout)).toEqual({
      relay: expect.stringMatching(/^live \(.+\)$/),
      checkpoint: `position ${checkpoint.position}, transaction ${checkpoint.transactionId}`,
      'log head': `position ${await headPosition()}`,
      lag: '0 events, 0 ms',
      NATS: NATS_URL,
      stream: config.stream,
      messages: String(log.length),
      'last sequence': String(log.length),
      'last position': `${last.position} (transaction ${last.transactionId})`,
      settings: 'as expected',
    });
  });

  it('status of a stream that does not exist yet: says so, exit 1, and does not create it (only the relay does)', async () => {
    const missing = `${config.stream}_NOT_YET`;
    try {
      const { code, stdout, stderr } = await relayCli(['status'], { ...env, NATS_STREAM: missing });
      expect(code).toBe(1);
      expect(fields(stdout)).toMatchObject({
        lag: '0 events, 0 ms',
        stream: `${missing}: missing (the relay creates it when it starts)`,
      });
      expect(`${stdout}${stderr}`).not.toMatch(STACK_FRAME);
      await expect(broker.jsm.streams.info(missing)).rejects.toThrow(/stream not found/i);
    } finally {
      await deleteStream(broker.jsm, missing);
    }
  });

  it('status with NATS unreachable: what the database knows, one line that NATS is not there, exit 1, no stack trace', async () => {
    const checkpoint = await storedCheckpoint();
    const url = `nats://127.0.0.1:${await freePort()}`;
    const { code, stdout, stderr } = await relayCli(['status'], {
      ...env,
      NATS_URL: url,
      NATS_PUBLISH_TIMEOUT_MS: '1000',
    });
    expect(code).toBe(1);
    expect(fields(stdout)).toMatchObject({
      checkpoint: `position ${checkpoint.position}, transaction ${checkpoint.transactionId}`,
      lag: '0 events, 0 ms',
      stream: `unavailable: not connected to NATS at ${url}`,
    });
    expect(stdout.split('\n').filter((line) => /unavailable/.test(line))).toHaveLength(1);
    expect(`${stdout}${stderr}`).not.toMatch(STACK_FRAME);
    // stderr is the command's log: JSON lines, nothing else.
    for (const line of stderr.split('\n').filter(Boolean))
      expect(() => JSON.parse(line)).not.toThrow();
  });

  it('replay --from <p> publishes the range again with the same msg ids: JetStream drops them all (within its duplicate window), the checkpoint stays', async () => {
    const log = await mappedLog(scratch.pool);
    const before = await streamState();
    const checkpoint = await storedCheckpoint();
    const from = log[4];
    const range = log.slice(4);
    const sent: string[] = [];
    const wire = nats!.subscribe(`${config.subjectPrefix}.>`, {
      callback: (_, message) => sent.push(message.headers?.get('Nats-Msg-Id') ?? '(none)'),
    });

    const { code, stdout, stderr } = await relayCli(
      ['replay', '--from', String(from.position)],
      env,
    );
    await nats!.flush();
    wire.unsubscribe();
    expect(stderr).not.toMatch(STACK_FRAME);
    expect({ code, stdout }).toEqual({
      code: 0,
      stdout:
        `Re-published ${range.length} integration events from position ${from.position} to ${checkpoint.position}: ` +
        `${range.length} dropped by JetStream as duplicates (sent within its 120 s duplicate window), 0 stored again.\n`,
    });
    // Really sent, in commit order, with the events' ids: what JetStream deduplicates by.
    expect(sent).toEqual(range.map((e) => e.eventId));
    expect(await streamState()).toEqual(before);
    expect(await storedCheckpoint()).toEqual(checkpoint);
    expect(await streamIds()).toEqual(log.map((e) => e.eventId));

    // The running relay is not disturbed: the next event is stored once, after the others.
    await api().deposit(accounts[0], 7, 'after the replay');
    await relayAtHead();
    expect(await streamIds()).toEqual((await mappedLog(scratch.pool)).map((e) => e.eventId));
  });

  it('replay of events older than the duplicate window stores them again at the tail: the relay publishes after them, skipping nothing, and the ledger consumer applies every event once', async () => {
    // The window shortened by the operator and waited out: as a replay of last week's events meets it.
    const { config: settings } = await broker.jsm.streams.info(config.stream);
    await broker.jsm.streams.update(config.stream, {
      ...settings,
      duplicate_window: WINDOW_MS * 1e6,
    });
    await sleep(WINDOW_MS + 500);
    const old = await mappedLog(scratch.pool);
    // Two events still within the window: dropped again.
    await api().deposit(accounts[1], 11, 'recent');
    await api().deposit(accounts[0], 12, 'recent');
    await relayAtHead();
    const log = await mappedLog(scratch.pool);
    const checkpoint = await storedCheckpoint();

    const replay = await relayCli(['replay', '--from', String(log[0].position)], env);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toBe(
      `Re-published ${log.length} integration events from position ${log[0].position} to ${checkpoint.position}: ` +
        `2 dropped by JetStream as duplicates (sent within its ${WINDOW_MS / 1000} s duplicate window), ` +
        `${old.length} stored again: consumers deduplicate them by Nats-Msg-Id.\n`,
    );
    const messages = (await broker.messages(config.stream)).map(received);
    expect(messages).toHaveLength(log.length + old.length);
    // The copies are the originals (same subject, ids, headers, payload) but for the relay's chain expectations.
    const unchained = (m: (typeof messages)[number]) => {
      const {
        'Nats-Expected-Last-Sequence': _sequence,
        'Nats-Expected-Last-Msg-Id': _msgId,
        ...headers
      } = m.headers;
      return { subject: m.subject, headers, payload: m.payload };
    };
    expect(messages.slice(log.length).map(unchained)).toEqual(
      messages.slice(0, old.length).map(unchained),
    );
    expect(await storedCheckpoint()).toEqual(checkpoint);

    // The stream's last message is now an old event's copy: status shows it, the relay's checkpoint is unmoved.
    const status = await relayCli(['status'], env);
    expect(status.code).toBe(0);
    const lastOld = old[old.length - 1];
    expect(fields(status.stdout)).toMatchObject({
      checkpoint: `position ${checkpoint.position}, transaction ${checkpoint.transactionId}`,
      messages: String(log.length + old.length),
      'last position':
        `${lastOld.position} (transaction ${lastOld.transactionId}): older than integration events ` +
        'the relay has passed (a copy a replay stored again, or those events were dead-lettered)',
    });

    // The relay reads that tail as its high-water mark, which is behind what it sent: it skips nothing new.
    await api().deposit(accounts[1], 13, 'after the old replay');
    await relayAtHead();
    const final = await mappedLog(scratch.pool);
    const ids = await streamIds();
    expect(ids).toHaveLength(final.length + old.length);
    expect(ids[ids.length - 1]).toBe(final[final.length - 1].eventId);
    expect([...new Set(ids)]).toEqual(final.map((e) => e.eventId));

    // A consumer that deduplicates by Nats-Msg-Id (examples/ledger-consumer) applies each event once.
    const consumer = startConsumerProcess({
      NATS_URL,
      NATS_STREAM: config.stream,
      LEDGER_FILTER_SUBJECT: `${config.subjectPrefix}.accounts.>`,
      LEDGER_CONSUMER: 'ledger',
      LEDGER_DATABASE_URL: scratch.url,
    });
    try {
      await settled(broker.jsm, config.stream, 'ledger', 30_000);
    } finally {
      consumer.process.kill('SIGTERM');
      await consumer.exited;
    }
    const progress = consumer
      .output()
      .split('\n')
      .filter((line) => line.includes('"progress"'))
      .map((line) => JSON.parse(line) as { applied: number; duplicates: number });
    expect({
      applied: progress.reduce((sum, p) => sum + p.applied, 0),
      duplicates: progress.reduce((sum, p) => sum + p.duplicates, 0),
    }).toEqual({ applied: final.length, duplicates: old.length });
    const ledger = await readLedger(scratch.pool);
    expect(ledger.processed).toEqual(final.map((e) => e.eventId).sort());
    const deposits = final.filter((e) => e.type === 'MoneyDeposited');
    expect(ledger.entries.map((e) => e.messageId).sort()).toEqual(
      deposits.map((e) => e.eventId).sort(),
    );
    expect(ledger.accounts.map((a) => [a.accountId, a.balance])).toEqual(
      [...accounts]
        .sort()
        .map((id) => [
          id,
          deposits
            .filter((e) => e.data.accountId === id)
            .reduce((sum, e) => sum + Number(e.data.amount), 0),
        ]),
    );

    await broker.jsm.streams.update(config.stream, settings);
  }, 120_000);

  it('with the relay stopped behind the log: status shows the lag; a replay after its checkpoint sends nothing; a position not in the log is refused', async () => {
    await running!.close();
    running = undefined;
    // An instance without the relay keeps taking commands: the log grows, nobody publishes.
    writer = await startTestApp({
      databaseUrl: scratch.url,
      projections: { ...testConfig().projections, run: false },
    });
    const write = accountsApi(writer.app.getHttpServer());
    const checkpoint = await storedCheckpoint();
    const before = await streamState();
    const first = await write.deposit(accounts[0], 21, 'unrelayed');
    await write.deposit(accounts[1], 22, 'unrelayed');
    await write.deposit(accounts[0], 23, 'unrelayed');

    const status = await relayCli(['status'], env);
    expect(status.code).toBe(0);
    expect(fields(status.stdout)).toMatchObject({
      relay: 'stopped',
      checkpoint: `position ${checkpoint.position}, transaction ${checkpoint.transactionId}`,
      'log head': `position ${await headPosition()}`,
      lag: expect.stringMatching(/^3 events, \d+ ms$/),
      messages: String(before.messages),
    });

    const nothing = await relayCli(['replay', '--from', String(first.position)], env);
    expect({ code: nothing.code, stdout: nothing.stdout }).toEqual({
      code: 0,
      stdout: `Nothing to replay: the relay's checkpoint (position ${checkpoint.position}) is before position ${first.position}.\n`,
    });

    const beyond = (await headPosition()) + 1000;
    const unknown = await relayCli(['replay', '--from', String(beyond)], env);
    expect({ code: unknown.code, stdout: unknown.stdout }).toEqual({ code: 1, stdout: '' });
    expect(unknown.stderr).toMatch(
      new RegExp(`^relay: No event is stored at global position ${beyond}\n$`, 'm'),
    );
    expect(unknown.stderr).not.toMatch(STACK_FRAME);

    expect(await streamState()).toEqual(before);
    expect(await storedCheckpoint()).toEqual(checkpoint);
  });
});
