// The example ledger consumer (examples/ledger-consumer) as the suites run it: a child process, its ledger read
// back, the contract's messages published by hand, and the machine's NATS found or the suite skipped.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  connect,
  headers as natsHeaders,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
} from 'nats';
import ts from 'typescript';
import type { Queryable } from '../../src/event-store/index.js';
import { eventually } from './eventually.js';

export const NATS_URL = 'nats://127.0.0.1:4222';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SOURCES = join(ROOT, 'examples/ledger-consumer/src');

let compiled: string | undefined;

/**
 * The consumer transpiled once into .data (under the repository, so that it finds the root's node_modules) and
 * run by plain node, as `npm start` runs its build: a loader would cost seconds per start on a busy machine.
 */
function compiledConsumer(): string {
  if (compiled) return compiled;
  mkdirSync(join(ROOT, '.data'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, '.data', 'ledger-consumer-'));
  for (const file of readdirSync(SOURCES).filter((f) => f.endsWith('.ts'))) {
    const { outputText } = ts.transpileModule(readFileSync(join(SOURCES, file), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      fileName: file,
    });
    writeFileSync(join(dir, file.replace(/\.ts$/, '.js')), outputText);
  }
  compiled = dir;
  return dir;
}

/** Removes the transpiled consumer: once a suite has stopped every consumer it started. */
export function removeCompiledConsumer(): void {
  if (compiled) rmSync(compiled, { recursive: true, force: true });
  compiled = undefined;
}

/**
 * The machine's NATS, or undefined with a notice when nothing answers: the suite then skips, unless
 * CHRONICLE_REQUIRE_NATS=1 (CI), where that fails it.
 */
export async function natsOrSkip(suite: string): Promise<NatsConnection | undefined> {
  try {
    return await connect({ servers: NATS_URL, timeout: 2_000, maxReconnectAttempts: 10 });
  } catch (error) {
    if (process.env.CHRONICLE_REQUIRE_NATS === '1') throw error;
    process.stdout.write(
      `\nSKIPPED ${suite}: no NATS at ${NATS_URL} (${(error as Error).message}); ` +
        'start nats-server -js, or set CHRONICLE_REQUIRE_NATS=1 to fail instead\n',
    );
    return undefined;
  }
}

export interface ConsumerProcess {
  process: ChildProcess;
  /** Resolves with how it ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

/** The consumer's own entry point (src/main.ts) in a process of its own, with these settings. */
export function startConsumerProcess(env: Record<string, string>): ConsumerProcess {
  let output = '';
  const child = spawn(process.execPath, [join(compiledConsumer(), 'main.js')], {
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { process: child, exited, output: () => output };
}

export interface Ledger {
  accounts: Array<{ accountId: string; currency: string | null; balance: number }>;
  entries: Array<{ messageId: string; accountId: string; amount: number; position: number }>;
  processed: string[];
  deadLetters: Array<{ sequence: number; reason: string; deliveries: number; payload: Buffer }>;
}

/** Everything the consumer wrote, sorted. */
export async function readLedger(db: Queryable): Promise<Ledger> {
  const accounts = await db.query(
    'SELECT account_id, currency, balance FROM ledger.accounts ORDER BY account_id',
  );
  const entries = await db.query(
    'SELECT message_id, account_id, amount, position FROM ledger.entries ORDER BY position, message_id',
  );
  const processed = await db.query(
    'SELECT message_id FROM ledger.processed_messages ORDER BY message_id',
  );
  const deadLetters = await db.query(
    'SELECT stream_sequence, reason, deliveries, payload FROM ledger.dead_letters ORDER BY stream_sequence',
  );
  return {
    accounts: accounts.rows.map((r) => ({
      accountId: r.account_id,
      currency: r.currency,
      balance: Number(r.balance),
    })),
    entries: entries.rows.map((r) => ({
      messageId: r.message_id,
      accountId: r.account_id,
      amount: Number(r.amount),
      position: Number(r.position),
    })),
    processed: processed.rows.map((r) => r.message_id),
    deadLetters: deadLetters.rows.map((r) => ({
      sequence: Number(r.stream_sequence),
      reason: r.reason,
      deliveries: r.deliveries,
      payload: r.payload,
    })),
  };
}

/** How many messages the ledger has applied or skipped as duplicates: 0 before the consumer made its schema. */
export async function processedCount(db: Queryable): Promise<number> {
  const { rows } = await db.query(
    `SELECT CASE WHEN to_regclass('ledger.processed_messages') IS NULL THEN 0
       ELSE (SELECT count(*) FROM ledger.processed_messages) END::int AS count`,
  );
  return rows[0].count as number;
}

export interface ContractEvent {
  id: string;
  /** The event type without context and version, e.g. MoneyDeposited. */
  type: string;
  position: number;
  data: Record<string, unknown>;
}

/** Publishes accounts events under `prefix` as the relay would, each with a new id and the next position. */
export function contractPublisher(js: JetStreamClient, prefix: string) {
  let position = 0;
  return {
    event(type: string, data: Record<string, unknown>): ContractEvent {
      return { id: randomUUID(), type, position: ++position, data };
    },
    /** `overrides`: headers replaced or (with '') dropped; `payload`: bytes instead of the event's JSON. */
    publish(e: ContractEvent, overrides: Record<string, string> = {}, payload?: Uint8Array) {
      const data = payload ?? new TextEncoder().encode(JSON.stringify(e.data));
      return js.publish(`${prefix}.accounts.${e.type}`, data, {
        headers: contractHeaders(e, overrides),
      });
    },
  };
}

/** Headers as the relay's contract sets them; `overrides` replaces or (with '') drops one. */
export function contractHeaders(event: ContractEvent, overrides: Record<string, string> = {}) {
  const values: Record<string, string> = {
    'Nats-Msg-Id': event.id,
    'Chronicle-Event-Type': `accounts.v1.${event.type}`,
    'Chronicle-Position': String(event.position),
    'Chronicle-Transaction-Id': String(1000 + event.position),
    'Chronicle-Stream-Id': `account-${String(event.data.accountId)}`,
    'Chronicle-Stream-Version': '1',
    'Chronicle-Schema-Version': '1',
    'Chronicle-Recorded-At': new Date().toISOString(),
    ...overrides,
  };
  const h = natsHeaders();
  for (const [name, value] of Object.entries(values)) if (value !== '') h.set(name, value);
  return h;
}

/** Every message of the durable consumer acknowledged or given up on: nothing pending, nothing unacknowledged. */
export async function settled(
  jsm: JetStreamManager,
  stream: string,
  durable: string,
  timeoutMs = 20_000,
): Promise<void> {
  await eventually(async () => {
    const info = await jsm.consumers.info(stream, durable);
    expect({ pending: info.num_pending, unacknowledged: info.num_ack_pending }).toEqual({
      pending: 0,
      unacknowledged: 0,
    });
  }, timeoutMs);
}
