// The application (app.child.ts) in a child process whose relay SIGKILLs it (no shutdown hook, no checkpoint) at a
// named point of its first batch of at least MIN_BATCH messages; see test/integration-relay-crash.e2e-spec.ts.
// Settings come as JSON in CHRONICLE_TEST_OVERRIDES. Run with --import ./test/support/ts-register.mjs.
import 'reflect-metadata';
import type { IntegrationMessage } from '../../src/integration/index.js';
import { JetStreamRelay } from '../../src/integration/relay/jetstream-relay.js';

export const RELAY_CRASH_POINTS = ['mid-batch', 'after-acks'] as const;
export type RelayCrashPoint = (typeof RELAY_CRASH_POINTS)[number];

const MIN_BATCH = 4;
const crashAt = process.env.CRASH_AT as RelayCrashPoint;
const die = (): never => {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
};

// Patched before the app starts: its relay may take its first batch during start-up.
const publish = JetStreamRelay.prototype.publish;
JetStreamRelay.prototype.publish = async function (
  this: JetStreamRelay,
  messages: readonly IntegrationMessage[],
) {
  if (messages.length < MIN_BATCH) return publish.call(this, messages);
  // Half the batch acknowledged, the rest never sent, the checkpoint not moved.
  if (crashAt === 'mid-batch')
    await publish.call(this, messages.slice(0, Math.floor(messages.length / 2)));
  // Every message acknowledged, the checkpoint not moved.
  else await publish.call(this, messages);
  die();
};

// The app itself, as app.child.ts starts it, once the relay is patched.
await import('./app.child.js');
