import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { type AppConfig, loadConfig } from '../config/config.js';
import { type Checkpoint, PostgresEventStore } from '../event-store/index.js';
import { IntegrationEventRegistry } from '../integration/index.js';
import {
  IntegrationRelayReactor,
  RELAY_PROJECTION,
} from '../integration/relay/integration-relay.reactor.js';
import { JetStreamRelay } from '../integration/relay/jetstream-relay.js';
import { compareCheckpoints, ProjectionRunner, UnknownPosition } from '../projections/index.js';
import { withOperatorApp } from './operator-app.js';
import { cli, positiveIntegerArgument, runCli } from './run-cli.js';

const program = cli(
  'relay',
  `Uses DATABASE_URL (or the embedded PostgreSQL under EMBEDDED_PG_DATA_DIR) and NATS_URL, NATS_STREAM,
NATS_SUBJECT_PREFIX as the app reads them. This process never relays itself: a running app keeps doing that.`,
);
program
  .command('status')
  .description(
    "the relay's checkpoint, the log's head and the relay's lag, the stream's message count and last position, " +
      "and how the stream's settings differ from what Chronicle expects",
  )
  .action(() => withRelay((app, config) => status(app, config)));
program
  .command('replay')
  .description(
    "publish again every integration event from that global position up to the relay's checkpoint, with the " +
      'same message ids. JetStream drops those it still holds within its duplicate window ' +
      '(NATS_DUPLICATE_WINDOW_MS); older ones are stored again, after the newer ones: consumers deduplicate by ' +
      'message id (Nats-Msg-Id).',
  )
  .requiredOption('--from <position>', 'the first global position', positiveIntegerArgument)
  .action(({ from }: { from: number }) => withRelay((app, config) => replay(app, config, from)));

const PAGE = 1000;

/** The app's module graph with the relay's configuration; the work's code is the process's exit code. */
async function withRelay(
  work: (app: INestApplicationContext, config: AppConfig) => Promise<number>,
): Promise<void> {
  const config = loadConfig();
  if (!config.integration.nats)
    throw new Error(
      'NATS_URL is not set: this instance has no relay (see README, "Integration events")',
    );
  process.exitCode = await withOperatorApp(config, (app) => work(app, config));
}

async function status(app: INestApplicationContext, config: AppConfig): Promise<number> {
  const [relay] = (await app.get(ProjectionRunner).status()).filter(
    (p) => p.name === RELAY_PROJECTION,
  );
  const line = (label: string, value: string | number) =>
    process.stdout.write(`${`${label}:`.padEnd(22)}${value}\n`);
  line('relay', relay.status + (relay.owner ? ` (${relay.owner.instance})` : ''));
  line(
    'checkpoint',
    `position ${relay.checkpoint.position}, transaction ${relay.checkpoint.transactionId}`,
  );
  line('log head', `position ${relay.headPosition}`);
  line('lag', `${relay.lagEvents} events, ${relay.lagMs} ms`);
  if (relay.lastError) line('last error', relay.lastError);
  line('NATS', config.integration.nats!.servers.join(', '));
  let stream: Awaited<ReturnType<JetStreamRelay['status']>>;
  try {
    stream = await app.get(JetStreamRelay).status();
  } catch (error) {
    line('stream', `unavailable: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const { tail, differences } = stream;
  if (!tail) {
    line('stream', `${stream.stream}: missing (the relay creates it when it starts)`);
    return 1;
  }
  line('stream', stream.stream);
  line('messages', tail.messages);
  line('last sequence', tail.lastSeq);
  line(
    'last position',
    tail.highWater
      ? `${tail.highWater.position} (transaction ${tail.highWater.transactionId})` +
          ((await publishedAfter(app, tail.highWater, relay.checkpoint))
            ? ': older than integration events the relay has passed (a copy a replay stored again, ' +
              'or those events were dead-lettered)'
            : '')
      : tail.messages === 0
        ? '- (empty)'
        : `- (its last message is not one the relay sent: ${tail.foreign?.reason ?? 'unknown'})`,
  );
  line(
    'settings',
    differences.length === 0 ? 'as expected' : differences.join('\n' + ' '.repeat(22)),
  );
  return 0;
}

/** Whether the relay's checkpoint has passed an integration event after the stream's last message (`tail`). */
async function publishedAfter(
  app: INestApplicationContext,
  tail: Checkpoint,
  checkpoint: Checkpoint,
): Promise<boolean> {
  const [{ found }] = await app.get<DataSource>(getDataSourceToken()).query(
    `SELECT EXISTS (SELECT 1 FROM events
       WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
         AND (transaction_id, global_position) <= ($3::xid8, $4::bigint) AND type = ANY($5::text[])) AS found`,
    [
      tail.transactionId,
      tail.position,
      checkpoint.transactionId,
      checkpoint.position,
      app.get(IntegrationEventRegistry).eventTypes,
    ],
  );
  return found as boolean;
}

/** Every mapped event from `from` (inclusive) up to the relay's stored checkpoint, published again in pages. */
async function replay(
  app: INestApplicationContext,
  config: AppConfig,
  from: number,
): Promise<number> {
  const store = app.get(PostgresEventStore);
  const registry = app.get(IntegrationEventRegistry);
  const reactor = app.get(IntegrationRelayReactor);
  const relay = app.get(JetStreamRelay);
  const [{ checkpoint: end }] = (await app.get(ProjectionRunner).status()).filter(
    (p) => p.name === RELAY_PROJECTION,
  );
  const start = await store.checkpointOf(from);
  if (!start) throw new UnknownPosition(from);
  // Just before the event at `from`, in commit order: it is read too.
  let after: Checkpoint = { transactionId: start.transactionId, position: from - 1 };
  const mapped = new Set(registry.eventTypes);
  let stored = 0;
  let duplicates = 0;
  let last = 0;
  let windowMs = config.integration.duplicateWindowMs;
  while (compareCheckpoints(after, end) < 0) {
    const page = await store.readAll({ after, limit: PAGE });
    const events = page.filter((e) => compareCheckpoints(e.checkpoint, end) <= 0);
    if (events.length === 0) break;
    after = events[events.length - 1].checkpoint;
    const decrypted = (
      await store.decryptPersonalData(events.filter((e) => mapped.has(e.type)))
    ).map((e) => store.registry.upcast(e));
    const answer = await relay.replay(reactor.messagesOf(decrypted));
    stored += answer.stored;
    duplicates += answer.duplicates;
    windowMs = answer.duplicateWindowMs;
    last = after.position;
    if (events.length < page.length) break;
  }
  // The stream's own window: an operator's stream may not have NATS_DUPLICATE_WINDOW_MS's.
  const seconds = windowMs / 1000;
  process.stdout.write(
    last === 0
      ? `Nothing to replay: the relay's checkpoint (position ${end.position}) is before position ${from}.\n`
      : `Re-published ${stored + duplicates} integration events from position ${from} to ${last}: ` +
          `${duplicates} dropped by JetStream as duplicates (sent within its ${seconds} s duplicate window), ` +
          `${stored} stored again${stored > 0 ? ': consumers deduplicate them by Nats-Msg-Id' : ''}.\n`,
  );
  return 0;
}

runCli('relay', program);
