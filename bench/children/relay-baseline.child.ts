import { connect, headers, type PubAck } from 'nats';
import pg from 'pg';
import { integrationConfig } from '../../src/config/integration-config.js';
import type { Checkpoint } from '../../src/event-store/index.js';
import { type IntegrationMessage, integrationMessageOf } from '../../src/integration/index.js';
import { expectedStream } from '../../src/integration/relay/stream-config.js';
import { childMain } from '../harness/children.js';
import { accountStore } from '../harness/fixtures.js';
import { relayRegistry } from '../harness/relay-messages.js';

export interface RelayBaselineInput {
  databaseUrl: string;
  natsUrl: string;
  stream: string;
  subjectPrefix: string;
  maxInFlight: number;
}

export interface RelayBaselineOutput {
  published: number;
}

/**
 * The baseline: a bare nats client publishing the relay's messages (same subjects, headers, payloads, message ids
 * and expected sequences) with the same number of acknowledgements outstanding, to a stream of the same settings.
 * Building the messages from the log is not measured; the parent reads the rate from the stream's timestamps.
 */
void childMain<RelayBaselineInput, RelayBaselineOutput>(async (input) => {
  const pool = new pg.Pool({ connectionString: input.databaseUrl, max: 2 });
  const store = accountStore(pool);
  const registry = relayRegistry();
  const messages: IntegrationMessage[] = [];
  let after: Checkpoint | undefined;
  for (;;) {
    const page = await store.readAll({ after, limit: 5000 });
    if (page.length === 0) break;
    for (const event of page) {
      const message = integrationMessageOf(
        registry,
        input.subjectPrefix,
        store.registry.upcast(event),
      );
      if (message) messages.push(message);
    }
    after = page[page.length - 1].checkpoint;
  }
  await pool.end();

  const nc = await connect({ servers: new URL(input.natsUrl).host });
  const jsm = await nc.jetstreamManager();
  const config = integrationConfig({
    NATS_STREAM: input.stream,
    NATS_SUBJECT_PREFIX: input.subjectPrefix,
  });
  await jsm.streams.add({ ...expectedStream(config), discard: 'old' } as Parameters<
    typeof jsm.streams.add
  >[0]);
  const js = nc.jetstream({ timeout: 5000 });
  const acks: Promise<PubAck>[] = [];
  for (let i = 0; i < messages.length; i++) {
    if (i >= input.maxInFlight) await acks[i - input.maxInFlight];
    const message = messages[i];
    const h = headers();
    for (const name in message.headers) h.set(name, message.headers[name]);
    acks.push(
      js.publish(message.subject, JSON.stringify(message.payload), {
        msgID: message.msgId,
        headers: h,
        timeout: 5000,
        expect: { lastSequence: i },
      }),
    );
  }
  for (const ack of acks) await ack;
  await nc.close();
  return { published: messages.length };
});
